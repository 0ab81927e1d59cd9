using System.Net;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Staff;

public sealed class StaffCommandTests
{
    [Fact]
    public async Task Staff_add_through_the_real_executable_reads_the_password_from_standard_input()
    {
        var dir = Directory.CreateTempSubdirectory("donations-staff-").FullName;
        try
        {
            var cs = $"Data Source={Path.Combine(dir, "donations.db")}";

            var added = await RunExecutableAsync(dir, cs, Password + "\n", "staff", "add", "Admin@Example.org", "--role", "Admin");
            var again = await RunExecutableAsync(dir, cs, Password + "\n", "staff", "add", "admin@example.org", "--role", "Admin");
            var list = await RunExecutableAsync(dir, cs, "", "staff", "list");

            Assert.True(added.Exit == 0, added.Output);
            Assert.Contains("Created Admin account admin@example.org", added.Output);
            Assert.Equal(1, again.Exit);
            Assert.Contains("already exists", again.Output);
            Assert.Equal(0, list.Exit);
            Assert.Matches(@"admin@example\.org\s+Admin\s+active", list.Output);

            await using var app = await DonationsApp.StartAsync(o => { o.ConnectionString = cs; o.HangfireServer = false; });
            Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(app.Client, "admin@example.org", Password)).StatusCode);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Staff_add_refuses_short_passwords_unknown_roles_and_bad_emails_with_distinct_exit_codes()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);

        var shortPassword = await RunStaffCommandAsync(app, "eleven char\n", "add", "a@example.org", "--role", "Finance");
        var noPassword = await RunStaffCommandAsync(app, "", "add", "a@example.org", "--role", "Finance");
        var badRole = await RunStaffCommandAsync(app, Password + "\n", "add", "a@example.org", "--role", "Owner");
        var badEmail = await RunStaffCommandAsync(app, Password + "\n", "add", "not-an-email", "--role", "Finance");
        var unknown = await RunStaffCommandAsync(app, "", "promote", "a@example.org");

        Assert.Equal((1, true), (shortPassword.Exit, shortPassword.Error.Contains("at least 12 characters")));
        Assert.Equal((1, true), (noPassword.Exit, noPassword.Error.Contains("DONATIONS_STAFF_PASSWORD")));
        Assert.Equal((2, true), (badRole.Exit, badRole.Error.Contains("Finance or Admin")));
        Assert.Equal((1, true), (badEmail.Exit, badEmail.Error.Contains("not an email address")));
        Assert.Equal(2, unknown.Exit);
        Assert.Equal(0, await app.WithDbAsync(db => db.StaffUsers.CountAsync()));
    }

    [Fact]
    public async Task Password_from_the_environment_wins_and_is_stored_only_as_a_hash()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var command = new Api.Features.Staff.StaffCommand(new StringReader("ignored stdin password\n"), TextWriter.Null, TextWriter.Null,
            () => "password from the environment");

        Assert.Equal(0, await command.RunAsync(app.Services, ["add", "env@example.org", "--role=Finance"], CancellationToken.None));

        var user = await app.WithDbAsync(db => db.StaffUsers.SingleAsync());
        Assert.Equal(StaffRoles.Finance, user.Role);
        Assert.DoesNotContain("password", user.PasswordHash);
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(app.CreateClient(), "env@example.org", "password from the environment")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(app.CreateClient(), "env@example.org", "ignored stdin password")).StatusCode);
    }

    [Fact]
    public async Task Staff_password_replaces_the_password_and_ends_sessions_signed_in_with_the_old_one()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await CreateStaffAsync(app, "finance@example.org", StaffRoles.Finance);
        var browser = app.CreateClient();
        await SignInAsync(browser, "finance@example.org", Password);

        var changed = await RunStaffCommandAsync(app, "a brand new passphrase\n", "password", "finance@example.org");

        Assert.Equal(0, changed.Exit);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/staff")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(app.CreateClient(), "finance@example.org", Password)).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(app.CreateClient(), "finance@example.org", "a brand new passphrase")).StatusCode);
    }

    [Fact]
    public async Task Staff_enable_lifts_a_lockout_so_the_right_password_signs_in_again_at_once()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await CreateStaffAsync(app, "admin@example.org", StaffRoles.Admin);
        for (var i = 0; i < Api.Features.Staff.SignIn.MaxFailures; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(app.CreateClient(), "admin@example.org", "a wrong guess")).StatusCode);
        // Locked: the right password is refused too, for the next quarter of an hour.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(app.CreateClient(), "admin@example.org", Password)).StatusCode);
        Assert.Matches(@"admin@example\.org\s+Admin\s+locked until", (await RunStaffCommandAsync(app, "", "list")).Output);

        var enabled = await RunStaffCommandAsync(app, "", "enable", "admin@example.org");

        Assert.Equal(0, enabled.Exit);
        Assert.Matches(@"admin@example\.org\s+Admin\s+active", (await RunStaffCommandAsync(app, "", "list")).Output);
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(app.CreateClient(), "admin@example.org", Password)).StatusCode);
    }

    private static Task<(int Exit, string Output)> RunExecutableAsync(string workingDirectory, string connectionString, string stdin, params string[] args) =>
        ServiceProcess.RunAsync(new ServiceProcess.Launch(
            new Dictionary<string, string?> { ["ConnectionStrings:Donations"] = connectionString }, workingDirectory)
        {
            Args = args,
            StandardInput = stdin,
            OnlyGivenEnvironment = true,
        });
}
