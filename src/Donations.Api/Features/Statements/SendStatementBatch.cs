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

    /// <summary>Returns the rows another sender took first.</summary>
    private async Task<List<StatementClaims.Row>> SendAsync(long runId, bool resend, int year, List<StatementClaims.Row> work, CancellationToken ct)
    {
        var lost = new List<StatementClaims.Row>();
        var ledgers = await documents.LoadAsync(work.Select(w => w.DonorId).ToList(), year, ct);
        IEmailSession? session = null;
        try
        {
            foreach (var row in work)
            {
                var messageId = row.Status == StatementStatus.Sent && resend && row.RunId != runId
                    ? documents.NewMessageId(row.DonorId, year) // a deliberate resend is a new message
                    : row.MessageId;
                if (!await claims.ClaimAsync(runId, row, messageId, ct))
                {
                    lost.Add(row);
                    continue;
                }
                var claimed = row.Attempts + 1;
                var ledger = ledgers[row.DonorId];
                if (ledger.IsEmpty)
                {
                    await claims.FinishAsync(runId, row.Id, claimed, StatementStatus.Empty, null);
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
                    await claims.FinishAsync(runId, row.Id, claimed, StatementStatus.Failed, ex.Message);
                    continue;
                }

                try
                {
                    session ??= await mail.OpenSessionAsync(ct);
                    await session.SendAsync(message, ct);
                }
                catch (EmailRejectedException ex)
                {
                    log.LogWarning("Statements: statement {StatementId} (donor {DonorId}) refused by the mail server: {Reason}", row.Id, row.DonorId, ex.Message);
                    await claims.FinishAsync(runId, row.Id, claimed, StatementStatus.Failed, ex.Message);
                    continue;
                }
                catch (Exception ex)
                {
                    // The connection is in doubt: give the statement back and let Hangfire retry the batch.
                    await claims.ReleaseAsync(row.Id, claimed, ex.Message);
                    throw;
                }
                await claims.FinishAsync(runId, row.Id, claimed, StatementStatus.Sent, null);
            }
        }
        finally
        {
            if (session is not null) await session.DisposeAsync();
        }
        log.LogInformation("Statements: run {RunId} worked through a batch of {Count} donors", runId, work.Count);
        return lost;
    }

    /// <summary>Donors held by another sender are looked at again once its lease has run out.</summary>
    private void Defer(long runId, List<StatementClaims.Row> busy, DateTime now)
    {
        var ids = busy.Select(r => r.DonorId).Distinct().ToArray();
        var wait = busy.Max(r => r.ClaimedUntil ?? now) - now;
        var delay = (wait > TimeSpan.Zero ? wait : StatementClaims.Lease) + TimeSpan.FromSeconds(5);
        jobs.Schedule<SendStatementBatch>(JobQueues.Email, job => job.RunAsync(runId, ids, CancellationToken.None), delay);
        log.LogInformation("Statements: run {RunId} deferred {Count} donors held by another sender for {Delay}", runId, ids.Length, delay);
    }

}
