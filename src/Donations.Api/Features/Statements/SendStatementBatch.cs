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
                foreach (var row in chunk)
                    if (!await SendOneAsync(runId, resend, year, row, ledgers[row.DonorId], ct))
                        lost.Add(row);
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

    /// <summary>False when another sender claimed the statement first.</summary>
    private async Task<bool> SendOneAsync(long runId, bool resend, int year, StatementClaims.Row row, StatementLedger ledger, CancellationToken ct)
    {
        var messageId = row.Status == StatementStatus.Sent && resend && row.RunId != runId
            ? documents.NewMessageId(row.DonorId, year) // a deliberate resend is a new message
            : row.MessageId;
        if (!await claims.ClaimAsync(runId, row, messageId, ct)) return false;
        var claimed = row.Attempts + 1;
        if (ledger.IsEmpty)
        {
            await claims.FinishAsync(runId, row.Id, claimed, StatementStatus.Empty, null);
            return true;
        }

        MimeKit.MimeMessage message;
        try
        {
            // Issued and stored before it is sent: the portal's download is this very PDF.
            var (document, content) = await issues.ForRunAsync(row.Id, everSent: row.SentAt is not null, ledger, ct,
                firstAttempt: row.Attempts == 0);
            message = documents.Compose(ledger, content, document.Pdf, messageId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogError(ex, "Statements: statement {StatementId} (donor {DonorId}, {Year}) could not be rendered", row.Id, row.DonorId, year);
            await claims.FinishAsync(runId, row.Id, claimed, StatementStatus.Failed, ex.Message);
            return true;
        }

        using (message)
        {
            try
            {
                session ??= await mail.OpenSessionAsync(ct);
                await session.SendAsync(message, ct);
            }
            catch (EmailRejectedException ex)
            {
                log.LogWarning("Statements: statement {StatementId} (donor {DonorId}) refused by the mail server: {Reason}", row.Id, row.DonorId, ex.Message);
                await claims.FinishAsync(runId, row.Id, claimed, StatementStatus.Failed, ex.Message);
                return true;
            }
            catch (Exception ex)
            {
                // The connection is in doubt: give the statement back and let Hangfire retry the batch.
                await claims.ReleaseAsync(row.Id, claimed, ex.Message);
                throw;
            }
        }
        await claims.FinishAsync(runId, row.Id, claimed, StatementStatus.Sent, null);
        return true;
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
