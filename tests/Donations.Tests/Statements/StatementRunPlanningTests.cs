using Donations.Api.Features.Statements;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Donations.Tests.Infrastructure.PlannerCounters;

namespace Donations.Tests.Statements;

/// <summary>
/// Planning a run cuts the year's donors into pages, one batch job each: a run of 100,000 donors
/// is 400 pages. Even under the generic plans PostgreSQL may keep for the service's prepared
/// statements (forced here), the year's gifts are read a few times in all, not once a page.
/// </summary>
public sealed class StatementRunPlanningTests
{
    private const int Donors = 3010;
    private const int BatchSize = 50;

    [Fact]
    public async Task Planning_a_run_reads_the_years_gifts_a_few_times_not_once_a_page()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
            o.Settings["Statements:BatchSize"] = BatchSize.ToString();
        });
        // Two years of gifts, the run's year analyzed as a database in service has it.
        await SqlAsync(app, BulkGivers.Sql(Donors, 2025) + """
            INSERT INTO "Donations" ("SettlementKey", "DonorId", "Amount", "Currency", "Frequency", "Status", "RefundedAmount",
                "FeeCovered", "FeeAmount", "BenefitsValue", "ReceivedAt", "CreatedAt")
            SELECT 'pi:pi_earlier_' || d."Id", d."Id", 2500, 'usd', 'OneTime', 'Succeeded', 0, false, 0, 0,
                timestamptz '2024-06-01 12:00:00+00', now()
            FROM "Donors" d;
            ANALYZE "Donations";
            ALTER TABLE "Donations" SET (autovacuum_enabled = false);
            """);
        await PlanGenericallyAsync(app);
        var before = await RowsReadAsync(app, "Donations");

        long runId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            runId = (await scope.ServiceProvider.GetRequiredService<StartStatementRun>()
                .StartAsync(new(2025, false, "tests"), CancellationToken.None)).Id;
            await scope.ServiceProvider.GetRequiredService<PlanStatementRun>().RunAsync(runId, CancellationToken.None);
        }
        var read = await RowsReadAsync(app, "Donations") - before;

        // Every donor planned once, in pages of the batch size.
        var pages = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi()
            .EnqueuedJobs(JobQueues.Statements, 0, 1000)
            .Select(j => (long[])j.Value.Job.Args[1]).ToList();
        Assert.Equal(Donors / BatchSize + 1, pages.Count);
        Assert.Equal(Donors, pages.SelectMany(p => p).Distinct().Count());
        Assert.Equal(Donors / BatchSize, pages.Count(p => p.Length == BatchSize));
        Assert.Single(pages, p => p.Length == Donors % BatchSize);
        Assert.Equal(Donors, await app.WithDbAsync(db => db.StatementRuns.Where(r => r.Id == runId).Select(r => r.DonorsTotal).SingleAsync()));

        // The gifts are read about once, not once a page (61 times).
        var total = read.Scanned + read.IndexEntries;
        Assert.True(total <= 2 * 2 * Donors,
            $"planning {pages.Count} pages read {read.Scanned} gifts by scanning and {read.IndexEntries} index entries ({2 * Donors} gifts in two years)");
    }
}
