using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Statements;

/// <summary>
/// Reads the donors who gave in the run's year in one pass, in donor order and streamed (never all
/// held at once), and enqueues one <see cref="SendStatementBatch"/> per page of
/// <c>Statements:BatchSize</c> donors as it goes: Hangfire's per-job cost (~4 ms here) would
/// otherwise dominate a run of 100,000 donors. One query, not one a page: a page query ("donors
/// after the last page's, LIMIT n") is only as good as the plan PostgreSQL keeps for it once Npgsql
/// has prepared it, and its generic plans read from the page's start to the end of the year on
/// every page (0.4–0.8 s a page at 1.2 million gifts, most of a run's database time).
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
        var expected = await Givers(run.Year).CountAsync(ct);
        await db.StatementRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DonorsTotal, expected), ct);

        var size = options.Value.BatchSize;
        var page = new List<long>(size);
        int planned = 0, batches = 0;
        void Enqueue()
        {
            var donors = page.ToArray();
            jobs.Enqueue<SendStatementBatch>(JobQueues.Statements, job => job.RunAsync(runId, donors, CancellationToken.None));
            planned += donors.Length;
            batches++;
            page.Clear();
        }
        await foreach (var donorId in Givers(run.Year).OrderBy(id => id).AsAsyncEnumerable().WithCancellation(ct))
        {
            page.Add(donorId);
            if (page.Count == size) Enqueue();
        }
        if (page.Count > 0) Enqueue();

        // Gifts dated in the year may have arrived since the count; the pages are what will be sent.
        if (planned != expected)
            await db.StatementRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.DonorsTotal, planned), ct);
        log.LogInformation("Statements: run {RunId} for {Year} planned {Donors} donors in {Batches} batches", runId, run.Year, planned, batches);
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
