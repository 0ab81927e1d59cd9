using Donations.Api.Features.Receipts;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>How many sending jobs and connections a backlog of receipts costs.</summary>
public sealed class ReceiptSendingTests
{
    [Fact]
    public async Task While_the_mail_server_is_down_one_job_retries_for_every_pending_receipt()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        await app.Smtp!.StopAsync();
        var ids = new List<long>();
        for (var i = 0; i < 30; i++) ids.Add(await app.SeedAsync());

        foreach (var id in ids) app.ScheduleReceipts(id);

        await Wait.UntilAsync(async () => await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Pending)) == 30,
            TimeSpan.FromSeconds(30), "30 receipts to be issued");
        await app.WaitForIdleJobsAsync(retriesExpected: true);
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var jobs = SendJobs(monitoring);
        // One per receipt, each retrying on its own, was what an outage used to leave behind.
        Assert.Equal(1, jobs.Retrying);
        Assert.Equal(0, jobs.Failed);
        Assert.InRange(jobs.Total, 1, 5);

        await app.Smtp.ResumeAsync();

        await Wait.UntilAsync(() => Task.FromResult(app.Smtp.Messages.Count >= 30), TimeSpan.FromSeconds(90), "every receipt after the outage");
        await Wait.UntilAsync(async () => await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)) == 30);
        await app.WaitForIdleJobsAsync();
        Assert.Equal(30, app.Smtp.Messages.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(30, app.Smtp.Messages.Count);
    }

    [Fact]
    public async Task A_backlog_is_drained_in_full_batches_by_at_most_Email_Smtp_Connections_senders()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.Settings["Email:Smtp:BatchSize"] = "5";
            o.Settings["Email:Smtp:Connections"] = "2";
            // Enough workers that, without the limit, many more senders would run at once.
            o.Settings["Hangfire:WorkerCount"] = "8";
        });
        await app.Smtp!.StopAsync();
        var ids = new List<long>();
        for (var i = 0; i < 40; i++) ids.Add(await app.SeedAsync());
        foreach (var id in ids) app.ScheduleReceipts(id);
        await Wait.UntilAsync(async () => await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Pending)) == 40,
            TimeSpan.FromSeconds(30), "40 receipts to be issued");

        await app.Smtp.ResumeAsync();

        await Wait.UntilAsync(async () => await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)) == 40,
            TimeSpan.FromSeconds(90), "every receipt to be sent");
        // The sender that met the outage carries it, waiting for its retry (5 s, then longer);
        // the others sent everything meanwhile, so its retry finds nothing left.
        await app.WaitForIdleJobsAsync(retriesExpected: true);
        var messages = app.Smtp.Messages;
        Assert.Equal(40, messages.Count);
        Assert.Equal(40, messages.Select(m => m.Headers["X-Receipt-Number"]).Distinct().Count());
        // A sender opens its next batch's connection as the server is still closing the last one,
        // so two senders can briefly show as three.
        Assert.InRange(app.Smtp.MostOpenSessions, 1, 3);
        // A connection per batch of 5 (and perhaps one that found nothing left to claim).
        Assert.InRange(app.Smtp.Sessions, 8, 12);
        // Nothing was claimed while the server was away, so every receipt was claimed exactly once.
        Assert.Equal(40, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Attempts == 1)));
    }

    private sealed record JobCounts(int Total, int Retrying, int Failed);

    private static JobCounts SendJobs(IMonitoringApi monitoring)
    {
        static bool IsSend(Hangfire.Common.Job? job) => job?.Type == typeof(SendPendingReceipts);
        var scheduled = monitoring.ScheduledJobs(0, 1000).Count(j => IsSend(j.Value.Job));
        var failed = monitoring.FailedJobs(0, 1000).Count(j => IsSend(j.Value.Job));
        var succeeded = monitoring.SucceededJobs(0, 1000).Count(j => IsSend(j.Value.Job));
        var processing = monitoring.ProcessingJobs(0, 1000).Count(j => IsSend(j.Value.Job));
        // The retrying job is either waiting for its next attempt or making it.
        return new JobCounts(scheduled + failed + succeeded + processing, scheduled + processing, failed);
    }
}
