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
    public async Task The_minutely_pass_reads_only_the_last_days_gifts_and_the_hourly_pass_finds_an_older_one_without_a_receipt()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
        });
        // A month-old year of gifts with their receipts, one of which lost its receipt (as if its
        // scheduling had been lost); and a gift recorded just now that has none yet.
        await SqlAsync(app, BulkGivers.Sql(Books, 2025) + """
            UPDATE "Donations" SET "CreatedAt" = now() - interval '30 days';
            DELETE FROM "Receipts" WHERE "DonationId" = (SELECT min("Id") FROM "Donations");
            INSERT INTO "Donations" ("SettlementKey", "DonorId", "Amount", "Currency", "Frequency", "Status", "RefundedAmount",
                "FeeCovered", "FeeAmount", "BenefitsValue", "ReceivedAt", "CreatedAt")
            SELECT 'pi:pi_recent', min("Id"), 2500, 'usd', 'OneTime', 'Succeeded', 0, false, 0, 0, now(), now() FROM "Donors";
            """);
        // As a database in service is: the old rows' index entries gone with them, statistics taken.
        await SqlAsync(app, "VACUUM ANALYZE");
        var (older, recent) = await app.WithDbAsync(async db =>
            (await db.Donations.MinAsync(d => d.Id), await db.Donations.MaxAsync(d => d.Id)));
        var before = await RowsReadAsync(app, "Donations");

        await app.SweepReceiptsAsync();

        var read = await RowsReadAsync(app, "Donations") - before;
        Assert.Equal([recent], Scheduled(app));
        // Before: every pass scanned all the gifts, three times.
        Assert.True(read.Scanned + read.IndexEntries <= 100,
            $"the minutely pass read {read.Scanned} gifts by scanning and {read.IndexEntries} index entries ({Books + 1} gifts, one recent)");

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ReceiptsSweeper>().RunFullAsync(CancellationToken.None);

        Assert.Equal([older, recent, recent], Scheduled(app).Order());
    }

    [Fact]
    public async Task Both_passes_are_recurring_jobs()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).ToDictionary(j => j.Id);

        Assert.Equal(("* * * * *", nameof(ReceiptsSweeper.RunAsync)), (jobs[ReceiptsSweeper.JobId].Cron, jobs[ReceiptsSweeper.JobId].Job.Method.Name));
        Assert.Equal(("0 * * * *", nameof(ReceiptsSweeper.RunFullAsync)), (jobs[ReceiptsSweeper.FullJobId].Cron, jobs[ReceiptsSweeper.FullJobId].Job.Method.Name));
    }

    /// <summary>The gifts the sweeper handed to receipt jobs so far (no server runs them here).</summary>
    private static List<long> Scheduled(DonationsApp app) =>
        app.Services.GetRequiredService<JobStorage>().GetMonitoringApi()
            .EnqueuedJobs(JobQueues.Email, 0, 1000)
            .Where(j => j.Value.Job?.Type == typeof(ReconcileReceipts))
            .SelectMany(j => j.Value.Job.Args[0] switch { long id => [id], long[] ids => ids, _ => Array.Empty<long>() })
            .ToList();
}
