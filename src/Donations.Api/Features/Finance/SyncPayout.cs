using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Job: reads a payout and every balance transaction it paid out
/// (<c>GET /v1/balance_transactions?payout=po_…</c>, all pages, each with its source expanded),
/// records them, and links each to the gift its charge, refund or dispute belongs to. What
/// belongs to no gift stays unlinked and is counted as unmatched.
/// </summary>
public sealed class SyncPayout(DonationsDbContext db, IStripeClient stripe, BalanceTransactionBook book, TimeProvider time, ILogger<SyncPayout> log)
{
    private const int PageSize = 100;

    public async Task RunAsync(string payoutId)
    {
        var ct = CancellationToken.None;
        var payout = await new PayoutService(stripe).GetAsync(payoutId, cancellationToken: ct);
        var row = await db.StripePayouts.SingleOrDefaultAsync(p => p.Id == payoutId, ct);
        if (row is null) db.StripePayouts.Add(row = new StripePayout { Id = payout.Id, Currency = payout.Currency, Status = payout.Status });
        row.Amount = payout.Amount;
        row.Currency = payout.Currency.ToLowerInvariant();
        row.ArrivalDate = payout.ArrivalDate;
        row.Status = payout.Status;
        row.Automatic = payout.Automatic;
        row.CreatedAt = payout.Created;
        row.UpdatedAt = time.GetUtcNow().UtcDateTime;

        var count = 0;
        var query = new BalanceTransactionListOptions { Payout = payoutId, Limit = PageSize, Expand = ["data.source"] };
        await foreach (var bt in new BalanceTransactionService(stripe).ListAutoPagingAsync(query, cancellationToken: ct))
        {
            await book.RecordAsync(bt, await GiftOfAsync(bt.Source, ct), payoutId, ct);
            count++;
        }
        row.TransactionsFetchedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        log.LogInformation("Payout {PayoutId}: {Count} balance transactions recorded", payoutId, count);
    }

    private async Task<long?> GiftOfAsync(IBalanceTransactionSource? source, CancellationToken ct)
    {
        var (chargeId, paymentIntentId) = source switch
        {
            Charge c => (c.Id, c.PaymentIntentId),
            Refund r => (r.ChargeId, r.PaymentIntentId),
            Dispute d => (d.ChargeId, d.PaymentIntentId),
            _ => (null, null),
        };
        if (chargeId is null && paymentIntentId is null) return null;
        return await db.Donations.Where(d => (chargeId != null && d.StripeChargeId == chargeId)
                                             || (paymentIntentId != null && d.StripePaymentIntentId == paymentIntentId))
            .Select(d => (long?)d.Id).FirstOrDefaultAsync(ct);
    }
}
