using Donations.Data;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Statements;

/// <summary>The command as an operator runs it: the built executable, with no service running.</summary>
public sealed class StatementCommandLineTests
{
    [Fact]
    public async Task Statements_send_run_twice_mails_each_donor_once_and_exits_when_done()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
        });
        var june = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        var grace = await app.DonorAsync("Grace Hopper", "grace@example.com");
        await app.GiftAsync(grace, june, 5000);
        await app.GiftAsync(grace, new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc), 9900);
        await app.GiftAsync(await app.DonorAsync("Alan Turing", "alan@example.com"), june, 2500);
        var settings = DonationsApp.DefaultSettings(app.Options, app.DataDirectory, app.ConnectionString);

        foreach (var round in new[] { 1, 2 })
        {
            await using var command = await ServiceProcess.StartAsync(settings, app.DataDirectory, args: ["statements", "send", "--year", "2025"],
                waitUntilLive: false);
            Assert.True(await command.WaitForExitAsync(TimeSpan.FromSeconds(90)) == 0, command.Output);
            Assert.Contains("completed: 2 donors", command.Output);
        }

        var mail = app.Statements();
        Assert.Equal(["alan@example.com", "grace@example.com"], mail.Select(m => m.To.Mailboxes.Single().Address).Order());
        var text = mail.Single(m => m.To.Mailboxes.Single().Address == "grace@example.com").TextBody;
        Assert.Contains("Total contributions: $50.00 USD", text);
        Assert.DoesNotContain("$99.00", text);
    }
}
