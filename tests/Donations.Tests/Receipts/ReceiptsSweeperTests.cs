using Donations.Api.Features.Receipts;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Donations.Tests.Infrastructure.PlannerCounters;

namespace Donations.Tests.Receipts;

/// <summary>
/// The safety net's minutely pass looks only at gifts recorded or changed in the last day, through
/// their indexes, so its cost does not grow with the books; the hourly pass looks at every gift.
/// </summary>
public sealed class ReceiptsSweeperTests
{
    private const int Books = 20_000;

    [Fact]
    public async Task The_minutely_pass_reads_only_the_last_days_gifts_and_the_hourly_pass_finds_older_ones()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
        });
        // A year of gifts recorded a month ago, with their receipts. The first lost its receipt (as
        // if its scheduling had been lost); the second was refunded in part today, its receipt not
        // corrected yet. And a gift recorded just now that has no receipt yet.
        await SqlAsync(app, BulkGivers.Sql(Books, 2025, recordedAt: "now() - interval '30 days'") + """
            DELETE FROM "Receipts" WHERE "DonationId" = (SELECT min("Id") FROM "Donations");
            UPDATE "Donations" SET "RefundedAmount" = 500, "ChargeRefundedAmount" = 500, "Status" = 'PartiallyRefunded', "UpdatedAt" = now()
            WHERE "Id" = (SELECT min("Id") + 1 FROM "Donations");
            INSERT INTO "Donations" ("SettlementKey", "DonorId", "Amount", "Currency", "Frequency", "Status", "RefundedAmount",
                "FeeCovered", "FeeAmount", "BenefitsValue", "ReceivedAt", "CreatedAt")
            SELECT 'pi:pi_recent', min("Id"), 2500, 'usd', 'OneTime', 'Succeeded', 0, false, 0, 0, now(), now() FROM "Donors";
            ANALYZE;
            """);
        var (older, recent) = await app.WithDbAsync(async db =>
            (await db.Donations.MinAsync(d => d.Id), await db.Donations.MaxAsync(d => d.Id)));
        var refunded = older + 1;
        var gifts = await RowsReadAsync(app, "Donations");
        var receipts = await RowsReadAsync(app, "Receipts");

        await app.SweepReceiptsAsync();

        var readGifts = await RowsReadAsync(app, "Donations") - gifts;
        var readReceipts = await RowsReadAsync(app, "Receipts") - receipts;
        Assert.Equal([refunded, recent], Scheduled(app).Order());
        // Before: every pass read all the gifts, three times over, and their receipts.
        Assert.True(readGifts.Scanned + readGifts.IndexEntries <= 100 && readReceipts.Scanned + readReceipts.IndexEntries <= 100,
            $"the minutely pass read {readGifts.Scanned} gifts by scanning and {readGifts.IndexEntries} index entries, " +
            $"{readReceipts.Scanned} receipts by scanning and {readReceipts.IndexEntries} index entries ({Books + 1} gifts, two changed in the last day)");

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ReceiptsSweeper>().RunFullAsync(CancellationToken.None);

        Assert.Equal([older, refunded, refunded, recent, recent], Scheduled(app).Order());
    }

    [Fact]
    public async Task The_hourly_pass_goes_through_a_backlog_larger_than_a_page()
    {
        const int backlog = 2_500;
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
        });
        // Receipts could not be issued for two days (an outage): none of these gifts has one.
        await SqlAsync(app, BulkGivers.Sql(backlog, 2025, recordedAt: "now() - interval '2 days'") + """DELETE FROM "Receipts";""");

        await app.SweepReceiptsAsync();
        Assert.Empty(Scheduled(app));

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ReceiptsSweeper>().RunFullAsync(CancellationToken.None);

        var scheduled = Scheduled(app);
        Assert.Equal(backlog, scheduled.Count);
        Assert.Equal(backlog, scheduled.Distinct().Count());
    }

    [Fact]
    public async Task Both_passes_are_recurring_jobs()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).ToDictionary(j => j.Id);

        Assert.Equal(("* * * * *", nameof(ReceiptsSweeper.RunAsync)), (jobs[ReceiptsSweeper.JobId].Cron, jobs[ReceiptsSweeper.JobId].Job.Method.Name));
        Assert.Equal(("30 * * * *", nameof(ReceiptsSweeper.RunFullAsync)), (jobs[ReceiptsSweeper.FullJobId].Cron, jobs[ReceiptsSweeper.FullJobId].Job.Method.Name));
    }

    /// <summary>The gifts the sweeper handed to receipt jobs so far (no server runs them here).</summary>
    private static List<long> Scheduled(DonationsApp app) =>
        app.Services.GetRequiredService<JobStorage>().GetMonitoringApi()
            .EnqueuedJobs(JobQueues.Email, 0, 1000)
            .Where(j => j.Value.Job?.Type == typeof(ReconcileReceipts))
            .SelectMany(j => j.Value.Job.Args[0] switch { long id => [id], long[] ids => ids, _ => Array.Empty<long>() })
            .ToList();
}
