using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Faults;

[Collection(FaultsCollection.Name)]
public sealed class SmtpOutageTests
{
    [Fact]
    public async Task Receipts_due_while_the_mail_server_is_down_go_out_once_when_it_is_back()
    {
        var first = GiftMix.Create(oneTime: 30, monthly: 5);
        var second = GiftMix.Create(oneTime: 30, monthly: 5);
        await using var smtp = await SmtpSink.StartAsync();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.Smtp = smtp;
            // Several small batches, so several senders are in flight when the server goes away.
            o.Settings["Email:Smtp:BatchSize"] = "7";
        });
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();

        // Down before the gifts arrive: every receipt falls due while nobody answers on port 25.
        await smtp.StopAsync();
        await app.DeliverAsync([.. first.Events]);
        await app.WaitForEventsAsync([.. first.Events]);
        await Wait.UntilAsync(() => Task.FromResult(monitoring.ScheduledCount() > 0), TimeSpan.FromSeconds(30),
            "a receipt send to fail and be scheduled for a retry");
        Assert.Empty(smtp.Messages);
        await smtp.ResumeAsync();
        await Wait.UntilAsync(() => Task.FromResult(smtp.Messages.Count >= first.ExpectedDonations), TimeSpan.FromSeconds(45),
            "the first gifts' receipts after the outage");

        // Down again in the middle of sending the next gifts' receipts.
        var before = smtp.Messages.Count;
        await app.DeliverAsync([.. second.Events]);
        await Wait.UntilAsync(() => Task.FromResult(smtp.Messages.Count > before), TimeSpan.FromSeconds(30), "sending to start");
        await smtp.StopAsync();
        var duringOutage = smtp.Messages.Count;
        await app.WaitForEventsAsync([.. second.Events]);
        if (duringOutage < before + second.ExpectedDonations)
            await Wait.UntilAsync(() => Task.FromResult(monitoring.ScheduledCount() > 0), TimeSpan.FromSeconds(30),
                "a receipt send to fail and be scheduled for a retry");
        await smtp.ResumeAsync();
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(smtp.Messages.Count >= before + second.ExpectedDonations), TimeSpan.FromSeconds(60),
                "the second gifts' receipts after the outage");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{smtp.Messages.Count - before} of {second.ExpectedDonations} arrived.\n" +
                await ServiceState.DescribeAsync(app.ConnectionString), e);
        }
        await app.WaitForIdleJobsAsync();

        var all = smtp.Messages;
        Assert.Equal(first.ExpectedDonations + second.ExpectedDonations, all.Count);
        Assert.Equal(all.Count, all.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(all.Count, all.Select(m => m.Headers["X-Receipt-Number"]).Distinct().Count());
        var received = all.SelectMany(m => m.To.Mailboxes).Select(a => a.Address).Order().ToList();
        var donors = first.OneTime.Select(g => g.Email).Concat(first.Monthly.Select(g => g.Email))
            .Concat(second.OneTime.Select(g => g.Email)).Concat(second.Monthly.Select(g => g.Email)).Order().ToList();
        Assert.Equal(donors, received);
        var unsent = await app.WithDbAsync(db => Task.FromResult(db.Receipts.Count(r => r.Status != ReceiptStatus.Sent)));
        Assert.Equal(0, unsent);
    }
}
