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
    /// <summary>
    /// Covers a chunk of statements from its claim, or its renewal just before it goes out
    /// (<see cref="RenewAsync"/>), until it is marked: its sending and the next chunk's preparing,
    /// with room to spare.
    /// </summary>
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

    /// <summary>
    /// One row per donor and year, created on first sight; a racing run's insert wins harmlessly.
    /// Returns how many this call created.
    /// </summary>
    public async Task<int> EnsureRowsAsync(long[] donorIds, int year, CancellationToken ct)
    {
        var existing = await db.Statements.Where(s => donorIds.Contains(s.DonorId) && s.Year == year).Select(s => s.DonorId).ToListAsync(ct);
        var missing = donorIds.Except(existing).ToList();
        if (missing.Count == 0) return 0;
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
        if (await RowClaims.TryInsertAsync(db, d => d.Statements.AddRange(missing.Select(New)), ct)) return missing.Count;
        // Some were created meanwhile by another sender: add the others one by one.
        var created = 0;
        foreach (var donorId in missing)
            if (await RowClaims.TryInsertAsync(db, d => d.Statements.Add(New(donorId)), ct)) created++;
        return created;
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

    /// <summary>A row this sender holds: claimed as attempt <see cref="Attempts"/>, to go out under <see cref="MessageId"/>.</summary>
    public sealed record Claimed(Row Row, int Attempts, string MessageId);

    /// <summary>What became of a claimed statement; <see cref="Error"/> says why it failed.</summary>
    public sealed record Outcome(Claimed Claim, StatementStatus Status, string? Error = null);

    /// <summary>
    /// Claims a chunk of rows, each only if it is still as this batch read it and held by no one,
    /// in one conditional UPDATE per kind of row read (usually one for the whole chunk: a round
    /// trip per statement was most of what a worker waited on). A deliberate resend gives each
    /// statement a new Message-Id, so those are claimed one by one.
    /// </summary>
    public async Task<List<Claimed>> ClaimAsync(long runId, bool resend, int year, IReadOnlyList<Row> rows, CancellationToken ct)
    {
        var claimed = new List<Claimed>(rows.Count);
        foreach (var row in rows.Where(r => IsResent(r, runId, resend)))
        {
            var messageId = documents.NewMessageId(row.DonorId, year);
            if (await ClaimOneAsync(runId, row, messageId, ct)) claimed.Add(new Claimed(row, row.Attempts + 1, messageId));
        }
        foreach (var group in rows.Where(r => !IsResent(r, runId, resend)).GroupBy(r => (r.Status, r.Attempts)))
        {
            var (status, attempts) = group.Key;
            var ids = group.Select(r => r.Id).ToList();
            var now = clock.GetUtcNow().UtcDateTime;
            // The lease's end, made this claim's own (a random part of a second on top), tells the
            // rows this sender won from a racing sender's when it did not win them all.
            var until = RowClaims.Mark(now + Lease + TimeSpan.FromTicks(Random.Shared.Next(1_000_000) * 10L));
            var won = await db.Statements
                .Where(s => ids.Contains(s.Id) && s.Attempts == attempts && s.Status == status && (s.ClaimedUntil == null || s.ClaimedUntil < now))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.RunId, runId)
                    .SetProperty(x => x.Status, StatementStatus.Pending)
                    .SetProperty(x => x.Attempts, attempts + 1)
                    .SetProperty(x => x.ClaimedUntil, until), ct);
            var mine = won == ids.Count ? ids.ToHashSet() : await HeldAsync(ids, attempts + 1, until, ct);
            claimed.AddRange(group.Where(r => mine.Contains(r.Id)).Select(r => new Claimed(r, attempts + 1, r.MessageId)));
        }
        return claimed;
    }

    /// <summary>Of these rows, the ones a claim or renewal just marked with its attempt and lease end: when it did not get them all.</summary>
    private async Task<HashSet<long>> HeldAsync(List<long> ids, int attempts, DateTime until, CancellationToken ct) =>
        (await db.Statements.AsNoTracking()
            .Where(s => ids.Contains(s.Id) && s.Attempts == attempts && s.ClaimedUntil == until)
            .Select(s => s.Id).ToListAsync(ct)).ToHashSet();

    /// <summary>A statement sent by an earlier run and sent again on purpose is a new message.</summary>
    private static bool IsResent(Row row, long runId, bool resend) => row.Status == StatementStatus.Sent && resend && row.RunId != runId;

    /// <summary>Only one sender gets the row: it must be as this batch read it, and not held by anyone.</summary>
    private async Task<bool> ClaimOneAsync(long runId, Row row, string messageId, CancellationToken ct)
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

    /// <summary>
    /// Renews the lease of claimed statements just before they go out: a chunk is claimed and
    /// prepared while the one before it is being sent, so its lease starts again here instead of
    /// having to cover both. Returns the claims this sender still holds (every claim counts the
    /// attempt up, so a row taken by another sender meanwhile no longer matches and stays theirs).
    /// </summary>
    public async Task<List<Claimed>> RenewAsync(IReadOnlyList<Claimed> claimed, CancellationToken ct)
    {
        var held = new List<Claimed>(claimed.Count);
        foreach (var group in claimed.GroupBy(c => c.Attempts))
        {
            var ids = group.Select(c => c.Row.Id).ToList();
            var until = RowClaims.Mark(clock.GetUtcNow().UtcDateTime + Lease);
            var renewed = await db.Statements
                .Where(s => ids.Contains(s.Id) && s.Status == StatementStatus.Pending && s.Attempts == group.Key)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ClaimedUntil, until), ct);
            var mine = renewed == ids.Count ? ids.ToHashSet() : await HeldAsync(ids, group.Key, until, ct);
            held.AddRange(group.Where(c => mine.Contains(c.Row.Id)));
        }
        return held;
    }

    /// <summary>
    /// Marks a chunk's statements with what became of them, in one transaction with the run's
    /// counters: one UPDATE for the statements that went out (per outcome and error, so usually
    /// one), each conditional on this sender still holding the row as it claimed it, so a retried
    /// batch never counts a donor twice. Not cancellable: once a message is out, the marker must say so.
    /// </summary>
    public async Task FinishAsync(long runId, IReadOnlyCollection<Outcome> outcomes)
    {
        if (outcomes.Count == 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var counted = new Dictionary<StatementRunProgress.Outcome, int>();
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        foreach (var group in outcomes.GroupBy(o => (o.Status, o.Claim.Attempts, Error: Truncate(o.Error))))
        {
            var (status, claimed, error) = group.Key;
            var ids = group.Select(o => o.Claim.Row.Id).ToList();
            var changed = await db.Statements
                // The attempt is the claim's own mark (every claim counts it up, on condition of
                // the count it read). The run is not asked for: in a first run its index would look
                // the better way in (the statistics taken before any claim say no row has a run)
                // and read every row the run has claimed so far, each chunk.
                .Where(s => ids.Contains(s.Id) && s.Status == StatementStatus.Pending && s.Attempts == claimed)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.Status, status)
                    .SetProperty(x => x.SentAt, x => status == StatementStatus.Sent ? now : x.SentAt)
                    .SetProperty(x => x.LastError, error)
                    .SetProperty(x => x.ClaimedUntil, (DateTime?)null), CancellationToken.None);
            var outcome = status switch
            {
                StatementStatus.Sent => StatementRunProgress.Outcome.Sent,
                StatementStatus.Failed => StatementRunProgress.Outcome.Failed,
                _ => StatementRunProgress.Outcome.Skipped,
            };
            counted[outcome] = counted.GetValueOrDefault(outcome) + changed;
        }
        foreach (var (outcome, count) in counted.Where(c => c.Value > 0))
            await progress.CountAsync(runId, outcome, count, CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    /// <summary>Gives claimed statements back unsent (the mail connection is in doubt), for a retry to take at once.</summary>
    public async Task ReleaseAsync(IEnumerable<Claimed> claimed, string error)
    {
        foreach (var group in claimed.GroupBy(c => c.Attempts))
        {
            var ids = group.Select(c => c.Row.Id).ToList();
            await db.Statements.Where(s => ids.Contains(s.Id) && s.Status == StatementStatus.Pending && s.Attempts == group.Key)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.ClaimedUntil, (DateTime?)null)
                    .SetProperty(x => x.LastError, Truncate(error)), CancellationToken.None);
        }
    }

    private static string? Truncate(string? s) => s is { Length: > 2000 } ? s[..2000] : s;
}
