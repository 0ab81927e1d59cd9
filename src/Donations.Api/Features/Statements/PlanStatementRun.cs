using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Statements;

/// <summary>
/// Pages through the donors who gave in the run's year, by donor id (keyset, never all at once),
/// and enqueues one <see cref="SendStatementBatch"/> per page of <c>Statements:BatchSize</c> donors:
/// Hangfire's per-job cost (~4 ms here) would otherwise dominate a run of 100,000 donors.
/// Running it again (a retry) enqueues the pages again; batches skip donors already dealt with.
/// </summary>
public sealed class PlanStatementRun(
    DonationsDbContext db,
    IBackgroundJobClient jobs,
    StatementDocuments documents,
    StatementRunProgress progress,
    IOptions<StatementsOptions> options,
    ILogger<PlanStatementRun> log)
{
    [AutomaticRetry(Attempts = 5)]
    public async Task RunAsync(long runId, CancellationToken ct)
    {
        var run = await db.StatementRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, ct);
        if (run is null || run.Status == StatementRunStatus.Completed) return;

        // The total first, so progress reads "n of N" while batches run.
        var expected = await Givers(run.Year, after: 0).CountAsync(ct);
        await db.StatementRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DonorsTotal, expected), ct);

        var size = options.Value.BatchSize;
        long after = 0;
        int planned = 0, batches = 0;
        while (true)
        {
            var page = await Givers(run.Year, after).OrderBy(id => id).Take(size).ToArrayAsync(ct);
            if (page.Length == 0) break;
            jobs.Enqueue<SendStatementBatch>(JobQueues.Statements, job => job.RunAsync(runId, page, CancellationToken.None));
            after = page[^1];
            planned += page.Length;
            batches++;
        }

        // Gifts dated in the year may have arrived since the count; the pages are what will be sent.
        if (planned != expected)
            await db.StatementRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DonorsTotal, planned), ct);
        log.LogInformation("Statements: run {RunId} for {Year} planned {Donors} donors in {Batches} batches", runId, run.Year, planned, batches);
        await progress.CompleteIfDoneAsync(runId, ct);
    }

    /// <summary>The keyset condition sits before DISTINCT, so each page reads from where the last one stopped.</summary>
    private IQueryable<long> Givers(int year, long after)
    {
        var bounds = documents.YearOf(year);
        return db.Donations
            .Where(d => d.DonorId > after && d.ReceivedAt >= bounds.StartUtc && d.ReceivedAt < bounds.EndUtc)
            .Select(d => d.DonorId)
            .Distinct();
    }
}
