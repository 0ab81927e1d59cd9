using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Statements;

/// <summary>
/// Reads the ids of the donors who gave in the run's year in one query (8 bytes a donor: 800 KB
/// for 100,000), sets the run's total, and enqueues one <see cref="SendStatementBatch"/> per page of
/// <c>Statements:BatchSize</c> donors: Hangfire's per-job cost (~4 ms here) would otherwise
/// dominate a run of 100,000 donors. One query, not one a page: a page query ("donors after the
/// last page's, LIMIT n") is only as good as the plan PostgreSQL keeps for it once Npgsql has
/// prepared it, and its generic plans read the year again on every page (from the page's first
/// donor to the last, or all of it through the date index: 0.4–0.8 s a page at 1.2 million gifts,
/// most of a run's database time).
/// Every donor's statement row is created before the first page is enqueued, and on PostgreSQL the
/// table analyzed (<see cref="RowClaims.RefreshStatisticsAsync{TEntity}"/>): in an organisation's
/// first run the table starts empty, and a connection that planned its statements' lookups (the
/// claims, the marks, the foreign-key check of every stored document) while it held a few rows
/// would scan all of it for every statement to the end of the run.
/// The run covers the donors with gifts recorded when the query ran. Running it again (a retry)
/// enqueues the pages again: batches skip donors already dealt with and defer those another
/// batch still holds.
/// </summary>
public sealed class PlanStatementRun(
    DonationsDbContext db,
    IBackgroundJobClient jobs,
    StatementDocuments documents,
    StatementClaims claims,
    RowClaims rows,
    StatementRunProgress progress,
    IOptions<StatementsOptions> options,
    ILogger<PlanStatementRun> log)
{
    [AutomaticRetry(Attempts = 5)]
    public async Task RunAsync(long runId, CancellationToken ct)
    {
        var run = await db.StatementRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.Status == StatementRunStatus.Completed) return;

        var givers = await Givers(run.Year).OrderBy(id => id).ToListAsync(ct);
        // The total before any batch, so progress reads "n of N" and no batch completes the run early.
        await db.StatementRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DonorsTotal, givers.Count), ct);
        var pages = givers.Chunk(options.Value.BatchSize).ToList();
        var created = 0;
        foreach (var page in pages) created += await claims.EnsureRowsAsync(page, run.Year, ct);
        if (created > 0)
        {
            try
            {
                await rows.RefreshStatisticsAsync<Statement>(db, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Only an optimisation (autovacuum takes statistics too, in its next rounds): the run goes on.
                log.LogWarning(ex, "Statements: run {RunId} could not refresh the statements table's statistics", runId);
            }
        }
        foreach (var page in pages)
            jobs.Enqueue<SendStatementBatch>(JobQueues.Statements, job => job.RunAsync(runId, page, CancellationToken.None));
        log.LogInformation("Statements: run {RunId} for {Year} planned {Donors} donors in {Batches} batches", runId, run.Year, givers.Count, pages.Count);
        await progress.CompleteIfDoneAsync(runId, ct);
    }

    private IQueryable<long> Givers(int year)
    {
        var bounds = documents.YearOf(year);
        return db.Donations
            .Where(d => d.ReceivedAt >= bounds.StartUtc && d.ReceivedAt < bounds.EndUtc)
            .Select(d => d.DonorId)
            .Distinct();
    }
}
