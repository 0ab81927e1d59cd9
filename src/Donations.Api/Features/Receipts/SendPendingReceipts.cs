using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Sends pending receipts, a batch of <c>Email:Smtp:BatchSize</c> through one connection on this
/// worker. Exactly once: a receipt is claimed (<see cref="ReceiptClaims"/>: pending, no live lease)
/// before sending and marked Sent right after, each in its own short statement, so no
/// transaction stays open during SMTP. A crash between send and mark leaves the lease to expire;
/// the receipt then goes out again with the same Message-Id. SMTP trouble releases the claims and
/// fails the job so Hangfire retries with back-off; a 5xx refusal marks the receipt Failed.
/// </summary>
public sealed class SendPendingReceipts(
    DonationsDbContext db,
    IEmailSender sender,
    ReceiptClaims claims,
    ReceiptMessages messages,
    ReceiptScheduler scheduler,
    TimeProvider clock,
    IOptions<EmailOptions> email,
    DonationsMetrics metrics,
    ILogger<SendPendingReceipts> log)
{
    [AutomaticRetry(Attempts = 20, DelaysInSeconds = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600])]
    public async Task RunAsync(CancellationToken ct)
    {
        if (!await claims.Due().AnyAsync(ct)) return;

        // Connect before claiming: with the server down nothing is claimed, nothing is lost.
        await using var session = await sender.OpenSessionAsync(ct);
        var batch = await claims.ClaimAsync(email.Value.Smtp.BatchSize, email.Value.Smtp.ClaimLease, ct);
        if (batch.Count == 0) return;

        var done = new List<Receipt>();
        try
        {
            foreach (var source in await messages.LoadAsync(batch, ct))
            {
                var message = await messages.BuildAsync(source, copyMessageId: null, ct);
                try
                {
                    await session.SendAsync(message, ct);
                    await MarkAsync(source.Receipt.Id, ReceiptStatus.Sent, error: null);
                    metrics.Receipt(Kind(source.Receipt), "sent");
                }
                catch (EmailRejectedException ex)
                {
                    await MarkAsync(source.Receipt.Id, ReceiptStatus.Failed, ex.Message);
                    metrics.Receipt(Kind(source.Receipt), "rejected");
                    // The server's reason often quotes the address: it stays on the receipt, not in the log.
                    log.LogWarning("Receipts: {ReceiptNumber} for donation {DonationId} refused by the mail server; see the receipt's LastError",
                        source.Receipt.Number, source.Donation.Id);
                }
                done.Add(source.Receipt);
            }
        }
        catch (Exception ex)
        {
            var unsent = batch.Except(done.Select(r => r.Id)).ToList();
            await ReleaseAsync(unsent, ex.Message);
            metrics.Receipt("any", "failed");
            throw;
        }

        log.LogInformation("Receipts: delivered a batch of {Count}", done.Count);
        await FollowUpAsync(done, ct);
        // A full batch may have left more behind: the next one goes to whichever worker is free.
        if (batch.Count == email.Value.Smtp.BatchSize) scheduler.SendPending();
    }

    // Not cancellable: the message is out, and the marker must say so.
    private Task MarkAsync(long id, ReceiptStatus status, string? error)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Receipts.Where(r => r.Id == id && r.Status == ReceiptStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, status)
                .SetProperty(r => r.SentAt, status == ReceiptStatus.Sent ? now : null)
                .SetProperty(r => r.LastError, Truncate(error))
                .SetProperty(r => r.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }

    private Task ReleaseAsync(List<long> ids, string error) =>
        db.Receipts.Where(r => ids.Contains(r.Id) && r.Status == ReceiptStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.ClaimedUntil, (DateTime?)null)
                .SetProperty(r => r.LastError, Truncate(error)), CancellationToken.None);

    /// <summary>A refund that arrived while the receipt was on its way is dealt with now.</summary>
    private async Task FollowUpAsync(List<Receipt> done, CancellationToken ct)
    {
        var donationIds = done.Where(r => r.Kind != ReceiptKind.VoidNotice).Select(r => r.DonationId).Distinct().ToList();
        if (donationIds.Count == 0) return;
        var changed = await db.Donations
            .Where(d => donationIds.Contains(d.Id) && (d.RefundedAmount > 0 || d.Status == DonationStatus.Refunded || d.DisputeStatus == "lost"))
            .Select(d => d.Id).ToListAsync(ct);
        foreach (var id in changed) scheduler.Schedule(id);
    }

    private static string Kind(Receipt r) => r.Kind.ToString().ToLowerInvariant();

    private static string? Truncate(string? s) => s is { Length: > 2000 } ? s[..2000] : s;
}
