using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Statements;

/// <summary>
/// Sends one batch of a run's statements through one mail connection on this worker (MailKit is
/// not thread-safe). Per donor, exactly once: the statement row (unique per donor and year) is
/// claimed with a conditional UPDATE and a lease before sending, and marked right after, in the
/// same transaction as the run's counter. A crash in between leaves the lease to run out; the
/// statement then goes out again with the same Message-Id. A donor already sent to is skipped
/// unless the run resends; a donor whose gifts were all refunded gets none (status Empty).
/// </summary>
public sealed class SendStatementBatch(
    DonationsDbContext db,
    StatementDocuments documents,
    StatementRunProgress progress,
    IEmailSender sender,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    ILogger<SendStatementBatch> log)
{
    /// <summary>Covers rendering and sending one statement, with room to spare.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private sealed record Row(long Id, long DonorId, StatementStatus Status, long? RunId, int Attempts, string MessageId, DateTime? ClaimedUntil);

    [AutomaticRetry(Attempts = 10, DelaysInSeconds = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200])]
    public async Task RunAsync(long runId, long[] donorIds, CancellationToken ct)
    {
        var run = await db.StatementRuns.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.Year, r.Resend }).SingleOrDefaultAsync(ct);
        if (run is null) return;

        await EnsureRowsAsync(donorIds, run.Year, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var rows = await db.Statements.AsNoTracking()
            .Where(s => donorIds.Contains(s.DonorId) && s.Year == run.Year)
            .OrderBy(s => s.DonorId)
            .Select(s => new Row(s.Id, s.DonorId, s.Status, s.RunId, s.Attempts, s.MessageId, s.ClaimedUntil))
            .ToListAsync(ct);
        rows.RemoveAll(r => r.RunId == runId && r.Status != StatementStatus.Pending); // this run is done with them

        var busy = rows.Where(r => r.ClaimedUntil > now).ToList();
        var sentBefore = rows.Except(busy).Where(r => r.Status == StatementStatus.Sent && r.RunId != runId && !run.Resend).ToList();
        await SkipAsync(runId, sentBefore.Select(r => r.Id).ToList(), ct);
        var work = rows.Except(busy).Except(sentBefore).ToList();

        if (work.Count > 0)
            busy.AddRange(await SendAsync(runId, run.Resend, run.Year, work, ct));
        if (busy.Count > 0) Defer(runId, busy, now);
        await progress.CompleteIfDoneAsync(runId, ct);
    }

    /// <summary>Returns the rows another sender took first.</summary>
    private async Task<List<Row>> SendAsync(long runId, bool resend, int year, List<Row> work, CancellationToken ct)
    {
        var lost = new List<Row>();
        var ledgers = await documents.LoadAsync(work.Select(w => w.DonorId).ToList(), year, ct);
        IEmailSession? session = null;
        try
        {
            foreach (var row in work)
            {
                var messageId = row.Status == StatementStatus.Sent && resend && row.RunId != runId
                    ? documents.NewMessageId(row.DonorId, year) // a deliberate resend is a new message
                    : row.MessageId;
                if (!await ClaimAsync(runId, row, messageId, ct))
                {
                    lost.Add(row);
                    continue;
                }
                var claimed = row.Attempts + 1;
                var ledger = ledgers[row.DonorId];
                if (ledger.IsEmpty)
                {
                    await FinishAsync(runId, row.Id, claimed, StatementStatus.Empty, null);
                    continue;
                }

                MimeKit.MimeMessage message;
                try
                {
                    message = await documents.BuildMessageAsync(ledger, messageId, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogError(ex, "Statements: statement {StatementId} (donor {DonorId}, {Year}) could not be rendered", row.Id, row.DonorId, year);
                    await FinishAsync(runId, row.Id, claimed, StatementStatus.Failed, ex.Message);
                    continue;
                }

                try
                {
                    session ??= await sender.OpenSessionAsync(ct);
                    await session.SendAsync(message, ct);
                }
                catch (EmailRejectedException ex)
                {
                    log.LogWarning("Statements: statement {StatementId} (donor {DonorId}) refused by the mail server: {Reason}", row.Id, row.DonorId, ex.Message);
                    await FinishAsync(runId, row.Id, claimed, StatementStatus.Failed, ex.Message);
                    continue;
                }
                catch (Exception ex)
                {
                    // The connection is in doubt: give the statement back and let Hangfire retry the batch.
                    await ReleaseAsync(row.Id, claimed, ex.Message);
                    throw;
                }
                await FinishAsync(runId, row.Id, claimed, StatementStatus.Sent, null);
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
        }
        log.LogInformation("Statements: run {RunId} worked through a batch of {Count} donors", runId, work.Count);
        return lost;
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
        try
        {
            db.Statements.AddRange(missing.Select(New));
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            foreach (var donorId in missing)
            {
                try
                {
                    db.Statements.Add(New(donorId));
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear(); // created meanwhile by another sender
                }
            }
        }
        db.ChangeTracker.Clear();
    }

    private async Task SkipAsync(long runId, List<long> ids, CancellationToken ct)
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
    private async Task<bool> ClaimAsync(long runId, Row row, string messageId, CancellationToken ct)
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
    private async Task FinishAsync(long runId, long id, int claimed, StatementStatus status, string? error)
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

    private Task ReleaseAsync(long id, int claimed, string error) =>
        db.Statements.Where(s => s.Id == id && s.Status == StatementStatus.Pending && s.Attempts == claimed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.ClaimedUntil, (DateTime?)null)
                .SetProperty(x => x.LastError, Truncate(error)), CancellationToken.None);

    /// <summary>Donors held by another sender are looked at again once its lease has run out.</summary>
    private void Defer(long runId, List<Row> busy, DateTime now)
    {
        var ids = busy.Select(r => r.DonorId).Distinct().ToArray();
        var wait = busy.Max(r => r.ClaimedUntil ?? now) - now;
        var delay = (wait > TimeSpan.Zero ? wait : Lease) + TimeSpan.FromSeconds(5);
        jobs.Schedule<SendStatementBatch>(JobQueues.Email, job => job.RunAsync(runId, ids, CancellationToken.None), delay);
        log.LogInformation("Statements: run {RunId} deferred {Count} donors held by another sender for {Delay}", runId, ids.Length, delay);
    }

    private static string? Truncate(string? s) => s is { Length: > 2000 } ? s[..2000] : s;
}
