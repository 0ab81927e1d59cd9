using System.Net;
using Donations.Api.Features.Receipts;
using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Donations.Tests.Faults;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// A burst is processed in batches: one Hangfire job per claimed batch of events and one receipt
/// job per batch of gifts, not one job per event and per gift, and still one receipt per gift.
/// </summary>
public sealed class BatchProcessingTests
{
    private const int Gifts = 300;

    [Fact]
    public async Task A_burst_of_300_gifts_on_one_node_takes_one_processing_job_per_100_events_and_sends_each_receipt_once()
    {
        var mix = GiftMix.Create(oneTime: Gifts, monthly: 0);
        // The node's own dispatcher is held back so the whole burst is in the inbox before the
        // first claim, as it is when a burst outpaces processing; the test then drives it.
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.WithoutInboxDispatcher();
        });
        using (var client = app.CreateClient(handleCookies: false))
        {
            foreach (var json in mix.Events) Assert.Equal(HttpStatusCode.OK, await client.PostEventAsync(json));
        }

        var dispatcher = ActivatorUtilities.CreateInstance<InboxDispatcher>(app.Services);
        var dispatched = 0;
        for (int n; (n = await dispatcher.DispatchBatchAsync(CancellationToken.None)) > 0;) dispatched += n;
        Assert.Equal(Gifts, dispatched);

        await app.WaitForEventsAsync([.. mix.Events]);
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= mix.ExpectedDonations),
            TimeSpan.FromSeconds(60), $"{mix.ExpectedDonations} receipts to reach the SMTP sink");
        await app.WaitForIdleJobsAsync();

        await mix.AssertExactlyOnceInDatabaseAsync(app.ConnectionString);
        mix.AssertOneReceiptEmailPerGift(app.Smtp!.Messages);

        var jobs = AllJobs(app.Services.GetRequiredService<JobStorage>());
        var processing = jobs.Count(j => j.Type == typeof(ProcessStripeEventBatch) || j.Type == typeof(ProcessStripeEvent));
        var receipting = jobs.Count(j => j.Type == typeof(ReconcileReceipts));
        Assert.InRange(processing, 1, Gifts / ProcessStripeEventBatch.Size);
        // A minutely sweep landing mid-burst may ask again for gifts not yet receipted, in batches too.
        Assert.InRange(receipting, 1, 2 * Gifts / ReceiptScheduler.ReconcileBatchSize);

        // A batch's first receipts are issued together, in one transaction with one allocation of
        // consecutive numbers (they share its time), not one transaction per gift; and each
        // receipt's PDF is stored once.
        var receipts = await app.WithDbAsync(db => db.Receipts.AsNoTracking().OrderBy(r => r.Sequence).ToListAsync());
        GaplessNumbers.AssertPerYear(receipts.Select(r => (r.Year, r.Sequence)), Gifts);
        Assert.InRange(receipts.Select(r => r.IssuedAt).Distinct().Count(), 1, receipting);
        Assert.Equal(Gifts, await app.WithDbAsync(db => db.ReceiptDocuments.CountAsync()));
    }

    /// <summary>Every job Hangfire's storage still knows, whatever its state.</summary>
    private static List<Job> AllJobs(JobStorage storage)
    {
        var monitoring = storage.GetMonitoringApi();
        var jobs = new List<Job?>();
        jobs.AddRange(monitoring.SucceededJobs(0, 10_000).Select(j => j.Value.Job));
        jobs.AddRange(monitoring.FailedJobs(0, 10_000).Select(j => j.Value.Job));
        jobs.AddRange(monitoring.ScheduledJobs(0, 10_000).Select(j => j.Value.Job));
        jobs.AddRange(monitoring.ProcessingJobs(0, 10_000).Select(j => j.Value.Job));
        foreach (var queue in monitoring.Queues())
            jobs.AddRange(monitoring.EnqueuedJobs(queue.Name, 0, 10_000).Select(j => j.Value.Job));
        return jobs.OfType<Job>().ToList();
    }
}
