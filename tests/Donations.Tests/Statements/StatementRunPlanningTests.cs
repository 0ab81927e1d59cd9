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
/// statements (forced here), the year's gifts are read a few times in all, not once a page. And a
/// first run, whose statement rows do not exist yet, does not read the statements table once a
/// statement either.
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

    [Fact]
    public async Task A_first_years_run_finds_each_statement_row_by_its_key_not_by_scanning_the_table()
    {
        const int donors = 1500;
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.Settings["Statements:BatchSize"] = BatchSize.ToString();
        });
        // The organisation's first year-end run: no statement rows yet, and the database analyzed
        // as one in service is (the statements table while it was still empty).
        await SqlAsync(app, BulkGivers.Sql(donors, 2025) + "ANALYZE;");
        var before = await RowsReadAsync(app, "Statements");

        var run = await app.RunStatementsAsync(2025, timeout: TimeSpan.FromSeconds(120));
        var read = await RowsReadAsync(app, "Statements") - before;

        Assert.Equal((donors, donors, 0), (run.DonorsTotal, run.Sent, run.Failed));
        // Each stored statement document is checked against its statement row, and each claim and
        // mark names rows by key. A connection that first planned those while the table held a few
        // rows (or was analyzed empty) keeps a plan that scans the whole table for every statement;
        // a mark that also asks for the run went in through the run's index, which the statistics
        // taken before any claim call rare, and read every row claimed so far, every chunk. Here:
        // a few scans a batch (at this size a page of donors is found faster by scanning), and a
        // few index entries a statement.
        var batches = (donors + BatchSize - 1) / BatchSize;
        var message = $"the run scanned the table {read.Scans} times, reading {read.Scanned} statement rows, and read " +
                      $"{read.IndexEntries} index entries ({donors} rows in it at the end, {batches} batches)";
        Assert.True(read.Scans <= 4 * batches, message);
        Assert.True(read.IndexEntries <= 10 * donors, message);
    }
}
