using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Sends pending receipts in batches of <c>Email:Smtp:BatchSize</c>, one connection per batch,
/// and goes on with the next batch while they come back full (up to a minute, then it hands over
/// to a new job). Exactly once: a batch is claimed (<see cref="ReceiptClaims"/>: pending, no live
/// lease) before sending and each receipt marked Sent right after its message is accepted, a few
/// at a time in short statements alongside the sending (<see cref="SentMarks"/>), so no
/// transaction stays open during SMTP; an accepted receipt keeps its lease, renewed, until its mark
/// commits. The batch's messages are built ahead of the connection on
/// another thread. While a batch is being sent its lease is
/// renewed every third of it, on the rows it still holds, so a slow batch or a slow server does
/// not let a second sender take a receipt (nodes' clocks must agree to well within a lease). A
/// crash between send and mark leaves the lease to expire; the receipt then goes out again with the
/// same Message-Id (at most <see cref="SentMarks.MaxUnmarked"/> receipts at once). A 5xx refusal marks
/// the receipt Failed. When the mail server cannot be reached, the claims are released and one job
/// per node fails and retries for all of them (<see cref="ReceiptScheduler"/>).
/// </summary>
public sealed class SendPendingReceipts(
    DonationsDbContext db,
    IServiceScopeFactory scopes,
    OutboundMail mail,
    ReceiptClaims claims,
    ReceiptMessages messages,
    ReceiptScheduler scheduler,
    TimeProvider clock,
    IOptions<EmailOptions> email,
    DonationsMetrics metrics,
    ILogger<SendPendingReceipts> log)
{
    /// <summary>How long one job keeps taking batches before it hands the rest to a new job.</summary>
    public static readonly TimeSpan MaxRun = TimeSpan.FromMinutes(1);

    /// <summary>Outside Hangfire (tests, tools): a sender without a job id, which may report an outage but is never taken for its retry.</summary>
    public Task RunAsync(CancellationToken ct) => RunAsync(null, ct);

    // While the mail server is down this job retries at least once a minute, for about an hour;
    // afterwards the minutely sweeper starts a new one.
    [AutomaticRetry(Attempts = 60, DelaysInSeconds = [5, 15, 30, 60])]
    public async Task RunAsync(PerformContext? context, CancellationToken ct)
    {
        if (!scheduler.TryEnterSender(out var first)) return;
        var askAgain = false;
        try
        {
            var started = clock.GetTimestamp();
            var bringHelpers = first;
            while (await SendBatchAsync(context?.BackgroundJob.Id, bringHelpers, ct))
            {
                bringHelpers = false;
                if (ct.IsCancellationRequested || clock.GetElapsedTime(started) > MaxRun)
                {
                    askAgain = true;
                    break;
                }
            }
        }
        finally
        {
            if (scheduler.ExitSender()) askAgain = true;
        }
        if (askAgain) scheduler.SendPending();
    }

    /// <summary>One batch over one connection; true if it was full, so more may be waiting.</summary>
    private async Task<bool> SendBatchAsync(string? jobId, bool bringHelpers, CancellationToken ct)
    {
        if (!await claims.Due().AnyAsync(ct)) return false;

        // Connect before claiming: with the server down nothing is claimed, nothing is lost.
        IEmailSession session;
        try
        {
            session = await mail.OpenSessionAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return MailServerDown(jobId, ex);
        }
        scheduler.MailServerReached();

        await using (session)
        {
            var size = email.Value.Smtp.BatchSize;
            var batch = await claims.ClaimAsync(size, email.Value.Smtp.ClaimLease, ct);
            if (batch.Count == 0) return false;
            // More are likely waiting: the node's other senders take the next batches meanwhile.
            if (batch.Count == size && bringHelpers) scheduler.AddHelpers();

            var done = new List<Receipt>();
            var talkingToServer = false;
            using var sending = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var renewing = RenewWhileSendingAsync(batch, sending.Token);
            await using var marks = new SentMarks(scopes, batch, clock, metrics, log);
            var built = Channel.CreateBounded<(ReceiptMessages.Source Source, MimeMessage Message)>(BuiltAhead);
            var building = Task.CompletedTask;
            try
            {
                var sources = await messages.LoadAsync(batch.Ids, ct);
                building = Task.Run(() => BuildAheadAsync(sources, built.Writer, sending.Token), CancellationToken.None);
                await foreach (var (source, message) in built.Reader.ReadAllAsync(ct))
                {
                    // The lease is renewed alongside (see RenewWhileSendingAsync); a receipt whose
                    // lease ran out and was taken by another sender is that sender's to send now.
                    if (!batch.IsHeld(source.Receipt.Id, clock.GetUtcNow().UtcDateTime))
                    {
                        log.LogWarning("Receipts: {ReceiptNumber} was taken by another sender after this batch's lease ran out; skipped here",
                            source.Receipt.Number);
                        continue;
                    }
                    try
                    {
                        talkingToServer = true;
                        await session.SendAsync(message, ct);
                        talkingToServer = false;
                        // Held and renewed until its mark commits, so no other sender takes it meanwhile.
                        await marks.SentAsync(source.Receipt.Id, Kind(source.Receipt));
                    }
                    catch (EmailRejectedException ex)
                    {
                        talkingToServer = false;
                        await marks.FailedAsync(source.Receipt.Id, Kind(source.Receipt), ex.Message);
                        // The server's reason often quotes the address: it stays on the receipt, not in the log.
                        log.LogWarning("Receipts: {ReceiptNumber} for donation {DonationId} refused by the mail server; see the receipt's LastError",
                            source.Receipt.Number, source.Donation.Id);
                    }
                    done.Add(source.Receipt);
                }
                await marks.FlushAsync();
            }
            catch (Exception ex)
            {
                // What the server accepted is marked before the rest is released, and while the lease
                // is still renewed (another sender must not take an accepted receipt meanwhile); should
                // that fail too, those receipts go again with their Message-Id once the lease runs out.
                try { await marks.FlushAsync(); }
                catch (Exception markFailed) { log.LogWarning(markFailed, "Receipts: marking sent receipts failed; they go again once their lease runs out"); }
                await StopRenewingAsync(sending, renewing);
                // The builder shares this job's database context: it is stopped before the release uses it.
                try { await building; }
                catch (Exception) { /* the loop's own exception is the one that counts */ }
                // A refusal whose Failed mark never committed is released with them: it was never delivered.
                await ReleaseAsync([.. batch.Unsent(), .. marks.UnmarkedRefusals()], batch, ex.Message);
                metrics.Receipt("any", "failed");
                // Only the mail server's trouble is an outage; anything else fails this job as it is.
                if (!talkingToServer || ex is OperationCanceledException) throw;
                return MailServerDown(jobId, ex);
            }

            await StopRenewingAsync(sending, renewing);
            await building;
            log.LogInformation("Receipts: delivered a batch of {Count}", done.Count);
            await FollowUpAsync(done, ct);
            return batch.Count == size;
        }
    }

    /// <summary>How many messages are built ahead of the connection.</summary>
    private const int BuiltAhead = 16;

    /// <summary>
    /// Builds the batch's messages in order on a thread of their own, a few ahead of the connection,
    /// so the SMTP conversation never waits on rendering (on a second core when there is one).
    /// The builder reads and writes through this job's database context (the sending loop does not
    /// use it meanwhile): it must have stopped before anything else does.
    /// </summary>
    private async Task BuildAheadAsync(List<ReceiptMessages.Source> sources, ChannelWriter<(ReceiptMessages.Source, MimeMessage)> writer, CancellationToken ct)
    {
        try
        {
            foreach (var source in sources)
                await writer.WriteAsync((source, await messages.BuildAsync(source, copyMessageId: null, ct)), ct);
            writer.Complete();
        }
        catch (Exception ex)
        {
            writer.Complete(ex);
        }
    }

    /// <summary>
    /// Renews the batch's lease every third of it while the batch is being sent, on its own
    /// connection: a message held up by a slow server keeps its lease, so no other sender takes it
    /// meanwhile. The beats keep to a schedule set at the claim: a renewal that ran late (a busy
    /// database) is followed by the next one when it falls due, not a whole beat after the late one
    /// ended, so lateness never adds up against the lease. A renewal that fails (the database away)
    /// is tried again at the next beat; the sending loop stops taking receipts whose lease runs low.
    /// </summary>
    private async Task RenewWhileSendingAsync(HeldReceipts batch, CancellationToken ct)
    {
        var beat = batch.Lease / 3;
        var due = clock.GetUtcNow() + beat;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var wait = due - clock.GetUtcNow();
                if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
                ct.ThrowIfCancellationRequested();
                // More than a beat behind (the process stalled): this renewal covers it, the next is a beat away.
                var now = clock.GetUtcNow();
                due = due + beat > now ? due + beat : now + beat;
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ReceiptClaims>().RenewAsync(batch, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Receipts: renewing a batch's lease failed; trying again at the next beat");
            }
        }
    }

    private static async Task StopRenewingAsync(CancellationTokenSource sending, Task renewing)
    {
        await sending.CancelAsync();
        await renewing;
    }

    /// <summary>Fails the job so Hangfire retries it, unless another job's retry already covers the outage.</summary>
    private bool MailServerDown(string? jobId, Exception ex)
    {
        if (scheduler.ReportOutage(jobId)) ExceptionDispatchInfo.Throw(ex);
        log.LogInformation("Receipts: the mail server could not be reached ({Error}); the job already retrying will send these", ex.Message);
        return false;
    }

    // Only rows still carrying this claim's mark: one taken by another sender is not ours to release.
    private Task ReleaseAsync(List<long> ids, HeldReceipts batch, string error)
    {
        var (marks, _) = batch.Marks();
        return db.Receipts.Where(r => ids.Contains(r.Id) && r.Status == ReceiptStatus.Pending && marks.Contains(r.ClaimedUntil))
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.ClaimedUntil, (DateTime?)null)
                .SetProperty(r => r.LastError, Truncate(error)), CancellationToken.None);
    }

    /// <summary>
    /// A refund that arrived while the receipt was on its way is dealt with now, and so is a
    /// dispute won back while its void notice was on its way.
    /// </summary>
    private async Task FollowUpAsync(List<Receipt> done, CancellationToken ct)
    {
        var donationIds = done.Where(r => r.Kind != ReceiptKind.VoidNotice).Select(r => r.DonationId).Distinct().ToList();
        var voidedIds = done.Where(r => r.Kind == ReceiptKind.VoidNotice).Select(r => r.DonationId).Distinct().ToList();
        if (donationIds.Count + voidedIds.Count == 0) return;
        // Refunded while the receipt was on its way; or its benefits judged again meanwhile (a date
        // moved into another year), so the deductible part it states is no longer the gift's.
        var changed = await db.Donations
            .Where(d => (donationIds.Contains(d.Id) && (d.RefundedAmount > 0 || d.Status == DonationStatus.Refunded))
                        || (voidedIds.Contains(d.Id) && d.RefundedAmount < d.Amount && d.Status != DonationStatus.Refunded)
                        || (donationIds.Contains(d.Id) && d.BenefitsValue > 0 && d.Receipts.Any(r => r.Kind != ReceiptKind.VoidNotice
                            && r.Status == ReceiptStatus.Sent
                            && r.DeductibleAmount != d.Amount - d.RefundedAmount - (d.BenefitsTreatment == BenefitsTreatment.Deducted ? d.BenefitsValue : 0))))
            .Select(d => d.Id).ToListAsync(ct);
        foreach (var id in changed) scheduler.Schedule(id);
    }

    private static string Kind(Receipt r) => r.Kind.ToString().ToLowerInvariant();

    private static string? Truncate(string? s) => s is { Length: > 2000 } ? s[..2000] : s;
}
