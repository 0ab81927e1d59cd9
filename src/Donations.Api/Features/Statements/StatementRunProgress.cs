using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Statements;

/// <summary>
/// A run's counters, moved by atomic increments so any number of batches on any number of
/// servers can report at once. Each increment shares a transaction with the statement's own
/// state change, so a retried batch never counts a donor twice.
/// </summary>
public sealed class StatementRunProgress(DonationsDbContext db, TimeProvider clock, DonationsMetrics metrics)
{
    public enum Outcome { Sent, Skipped, Failed }

    public Task CountAsync(long runId, Outcome outcome, int count, CancellationToken ct)
    {
        for (var i = 0; i < count; i++) metrics.Statement(outcome.ToString().ToLowerInvariant());
        return Increment(runId, outcome, count, ct);
    }

    private Task<int> Increment(long runId, Outcome outcome, int count, CancellationToken ct) => outcome switch
    {
        Outcome.Sent => db.StatementRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Sent, r => r.Sent + count), ct),
        Outcome.Skipped => db.StatementRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Skipped, r => r.Skipped + count), ct),
        _ => db.StatementRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Failed, r => r.Failed + count), ct),
    };

    /// <summary>Completed once every donor the run planned has an outcome; only the first caller changes it.</summary>
    public Task CompleteIfDoneAsync(long runId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.StatementRuns
            .Where(r => r.Id == runId && r.Status == StatementRunStatus.Running && r.Sent + r.Skipped + r.Failed >= r.DonorsTotal)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, StatementRunStatus.Completed)
                .SetProperty(r => r.CompletedAt, now), ct);
    }
}
