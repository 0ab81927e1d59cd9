using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Statements;

/// <summary>
/// Sends one batch of a run's statements through one mail connection on this worker (MailKit is
/// not thread-safe), a chunk of <see cref="LedgerChunk"/> donors at a time. Per donor, exactly
/// once: the statement row (unique per donor and year) is claimed with a conditional UPDATE and a
/// lease before sending, and marked once its chunk is sent, in the same transaction as the run's
/// counter. A crash in between leaves the lease to run out; the statement then goes out again
/// with the same Message-Id. A donor already sent to is skipped
/// unless the run resends; a donor whose gifts were all refunded gets none (status Empty). The
/// statement is issued (<see cref="StatementIssues"/>) before it is sent, and a resend carries the
/// stored copy.
/// </summary>
public sealed class SendStatementBatch(
    DonationsDbContext db,
    StatementDocuments documents,
    StatementIssues issues,
    StatementClaims claims,
    StatementRunProgress progress,
    OutboundMail mail,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    ILogger<SendStatementBatch> log)
{
    [AutomaticRetry(Attempts = 10, DelaysInSeconds = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200])]
    public async Task RunAsync(long runId, long[] donorIds, CancellationToken ct)
    {
        var run = await db.StatementRuns.AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.Year, r.Resend }).SingleOrDefaultAsync(ct);
        if (run is null) return;

        var rows = await claims.LoadAsync(donorIds, run.Year, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        rows.RemoveAll(r => r.RunId == runId && r.Status != StatementStatus.Pending); // this run is done with them

        var busy = rows.Where(r => r.ClaimedUntil > now).ToList();
        var sentBefore = rows.Except(busy).Where(r => r.Status == StatementStatus.Sent && r.RunId != runId && !run.Resend).ToList();
        await claims.SkipAsync(runId, sentBefore.Select(r => r.Id).ToList(), ct);
        var work = rows.Except(busy).Except(sentBefore).ToList();

        if (work.Count > 0)
            busy.AddRange(await SendAsync(runId, run.Resend, run.Year, work, ct));
        if (busy.Count > 0) Defer(runId, busy, now);
        await progress.CompleteIfDoneAsync(runId, ct);
    }

    /// <summary>Donors whose ledgers a batch reads and holds at once: what it holds does not grow with its size.</summary>
    internal const int LedgerChunk = 25;

    private IEmailSession? session;

    /// <summary>Returns the rows another sender took first.</summary>
    private async Task<List<StatementClaims.Row>> SendAsync(long runId, bool resend, int year, List<StatementClaims.Row> work, CancellationToken ct)
    {
        var lost = new List<StatementClaims.Row>();
        try
        {
            foreach (var chunk in work.Chunk(LedgerChunk))
            {
                var ledgers = await documents.LoadAsync(chunk.Select(w => w.DonorId).ToList(), year, ct);
                var claimed = await claims.ClaimAsync(runId, resend, year, chunk, ct);
                lost.AddRange(chunk.Except(claimed.Select(c => c.Row)));
                await SendChunkAsync(runId, year, claimed, ledgers, ct);
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
            session = null;
        }
        log.LogInformation("Statements: run {RunId} worked through a batch of {Count} donors", runId, work.Count);
        return lost;
    }

    /// <summary>
    /// Issues, sends and marks a chunk of claimed statements: their first documents stored in one
    /// insert before any is sent, the outcomes marked in one transaction after the last. A crash
    /// in between leaves the chunk's statements claimed; once the lease has run out they go out
    /// again with the same Message-Ids and the stored documents.
    /// </summary>
    private async Task SendChunkAsync(long runId, int year, List<StatementClaims.Claimed> claimed, Dictionary<long, StatementLedger> ledgers, CancellationToken ct)
    {
        var outcomes = new List<StatementClaims.Outcome>(claimed.Count);
        var ready = new List<(StatementClaims.Claimed Claim, StatementIssues.Stored Document, MailContent Content)>(claimed.Count);
        var fresh = new List<(StatementClaims.Claimed Claim, StatementIssues.Fresh Document)>(claimed.Count);
        foreach (var claim in claimed)
        {
            var row = claim.Row;
            var ledger = ledgers[row.DonorId];
            if (ledger.IsEmpty)
            {
                outcomes.Add(new(claim, StatementStatus.Empty));
                continue;
            }
            try
            {
                // Issued and stored before it is sent: the portal's download is this very PDF.
                // Nobody has tried to send it yet, so nothing was issued: no look-up.
                if (row.Attempts == 0) fresh.Add((claim, await issues.RenderFirstAsync(row.Id, ledger)));
                else
                {
                    var (document, content) = await issues.ForRunAsync(row.Id, everSent: row.SentAt is not null, ledger, ct);
                    ready.Add((claim, document, content));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Statements: statement {StatementId} (donor {DonorId}, {Year}) could not be rendered", row.Id, row.DonorId, year);
                outcomes.Add(new(claim, StatementStatus.Failed, ex.Message));
            }
        }
        if (fresh.Count > 0)
        {
            var stored = await issues.StoreFirstAsync(fresh.Select(f => f.Document).ToList(), ct);
            ready.AddRange(fresh.Zip(stored, (f, s) => (f.Claim, s.Document, s.Content)));
        }

        var unsent = ready.Select(r => r.Claim).ToList();
        try
        {
            foreach (var (claim, document, content) in ready)
            {
                outcomes.Add(await SendOneAsync(claim, ledgers[claim.Row.DonorId], document, content, ct));
                unsent.Remove(claim);
            }
        }
        catch (Exception ex)
        {
            // The connection is in doubt: what went out is marked, the rest given back, and
            // Hangfire retries the batch.
            await claims.FinishAsync(runId, outcomes);
            await claims.ReleaseAsync(unsent, ex.Message);
            throw;
        }
        await claims.FinishAsync(runId, outcomes);
    }

    private async Task<StatementClaims.Outcome> SendOneAsync(StatementClaims.Claimed claim, StatementLedger ledger,
        StatementIssues.Stored document, MailContent content, CancellationToken ct)
    {
        MimeKit.MimeMessage message;
        try
        {
            message = documents.Compose(ledger, content, document.Pdf, claim.MessageId);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Statements: statement {StatementId} (donor {DonorId}) could not be composed", claim.Row.Id, claim.Row.DonorId);
            return new(claim, StatementStatus.Failed, ex.Message);
        }
        using var _ = message;
        try
        {
            session ??= await mail.OpenSessionAsync(ct);
            await session.SendAsync(message, ct);
            return new(claim, StatementStatus.Sent);
        }
        catch (EmailRejectedException ex)
        {
            log.LogWarning("Statements: statement {StatementId} (donor {DonorId}) refused by the mail server: {Reason}", claim.Row.Id, claim.Row.DonorId, ex.Message);
            return new(claim, StatementStatus.Failed, ex.Message);
        }
    }

    /// <summary>Donors held by another sender are looked at again once its lease has run out.</summary>
    private void Defer(long runId, List<StatementClaims.Row> busy, DateTime now)
    {
        var ids = busy.Select(r => r.DonorId).Distinct().ToArray();
        var wait = busy.Max(r => r.ClaimedUntil ?? now) - now;
        var delay = (wait > TimeSpan.Zero ? wait : StatementClaims.Lease) + TimeSpan.FromSeconds(5);
        jobs.Schedule<SendStatementBatch>(JobQueues.Statements, job => job.RunAsync(runId, ids, CancellationToken.None), delay);
        log.LogInformation("Statements: run {RunId} deferred {Count} donors held by another sender for {Delay}", runId, ids.Length, delay);
    }

}
