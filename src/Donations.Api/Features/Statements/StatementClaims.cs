using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Statements;

/// <summary>
/// The per-donor state of a run, kept on the statement row (unique per donor and year): claimed
/// with a conditional UPDATE and a lease before sending, marked after it in one transaction with
/// the run's counter. Every change is conditional on the row being as the caller read it, so of
/// several senders (a retried batch, an overlapping run) exactly one acts, and a retried batch
/// never counts a donor twice.
/// </summary>
public sealed class StatementClaims(DonationsDbContext db, StatementDocuments documents, StatementRunProgress progress, TimeProvider clock)
{
    /// <summary>Covers rendering and sending one statement, with room to spare.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public sealed record Row(long Id, long DonorId, StatementStatus Status, long? RunId, int Attempts, string MessageId, DateTime? ClaimedUntil, DateTime? SentAt);

    /// <summary>The rows of these donors for the year, created where missing.</summary>
    public async Task<List<Row>> LoadAsync(long[] donorIds, int year, CancellationToken ct)
    {
        await EnsureRowsAsync(donorIds, year, ct);
        return await db.Statements.AsNoTracking()
            .Where(s => donorIds.Contains(s.DonorId) && s.Year == year)
            .OrderBy(s => s.DonorId)
            .Select(s => new Row(s.Id, s.DonorId, s.Status, s.RunId, s.Attempts, s.MessageId, s.ClaimedUntil, s.SentAt))
            .ToListAsync(ct);
    }

    /// <summary>One row per donor and year, created on first sight; a racing run's insert wins harmlessly.</summary>
    private async Task EnsureRowsAsync(long[] donorIds, int year, CancellationToken ct)
    {
        var existing = await db.Statements.Where(s => donorIds.Contains(s.DonorId) && s.Year == year).Select(s => s.DonorId).ToListAsync(ct);
        var missing = donorIds.Except(existing).ToList();
        if (missing.Count == 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        Statement New(long donorId) => new()
        {
            DonorId = donorId,
            Year = year,
            Status = StatementStatus.Pending,
            // Chosen once, before the first attempt: a resend after a crash keeps it.
            MessageId = documents.NewMessageId(donorId, year),
            CreatedAt = now,
        };
        if (await RowClaims.TryInsertAsync(db, d => d.Statements.AddRange(missing.Select(New)), ct)) return;
        // Some were created meanwhile by another sender: add the others one by one.
        foreach (var donorId in missing)
            await RowClaims.TryInsertAsync(db, d => d.Statements.Add(New(donorId)), ct);
    }

    public async Task SkipAsync(long runId, List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var skipped = await db.Statements
            .Where(s => ids.Contains(s.Id) && s.Status == StatementStatus.Sent && (s.RunId == null || s.RunId != runId))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RunId, runId), ct);
        await progress.CountAsync(runId, StatementRunProgress.Outcome.Skipped, skipped, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Only one sender gets the row: it must be as this batch read it, and not held by anyone.</summary>
    public async Task<bool> ClaimAsync(long runId, Row row, string messageId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + Lease;
        return await db.Statements
            .Where(s => s.Id == row.Id && s.Attempts == row.Attempts && s.Status == row.Status
                && (s.ClaimedUntil == null || s.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.RunId, runId)
                .SetProperty(x => x.Status, StatementStatus.Pending)
                .SetProperty(x => x.MessageId, messageId)
                .SetProperty(x => x.Attempts, row.Attempts + 1)
                .SetProperty(x => x.ClaimedUntil, until), ct) == 1;
    }

    // Not cancellable: once a message is out, the marker must say so.
    public async Task FinishAsync(long runId, long id, int claimed, StatementStatus status, string? error)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var changed = await db.Statements
            .Where(s => s.Id == id && s.RunId == runId && s.Status == StatementStatus.Pending && s.Attempts == claimed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, status)
                .SetProperty(x => x.SentAt, x => status == StatementStatus.Sent ? now : x.SentAt)
                .SetProperty(x => x.LastError, Truncate(error))
                .SetProperty(x => x.ClaimedUntil, (DateTime?)null), CancellationToken.None);
        if (changed == 1)
        {
            var outcome = status switch
            {
                StatementStatus.Sent => StatementRunProgress.Outcome.Sent,
                StatementStatus.Failed => StatementRunProgress.Outcome.Failed,
                _ => StatementRunProgress.Outcome.Skipped,
            };
            await progress.CountAsync(runId, outcome, 1, CancellationToken.None);
        }
        await tx.CommitAsync(CancellationToken.None);
    }

    public Task ReleaseAsync(long id, int claimed, string error) =>
        db.Statements.Where(s => s.Id == id && s.Status == StatementStatus.Pending && s.Attempts == claimed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.ClaimedUntil, (DateTime?)null)
                .SetProperty(x => x.LastError, Truncate(error)), CancellationToken.None);

    private static string? Truncate(string? s) => s is { Length: > 2000 } ? s[..2000] : s;
}
