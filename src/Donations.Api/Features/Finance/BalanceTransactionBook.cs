using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Keeps Stripe's balance transactions as Stripe reports them, one row per <c>txn_</c> id:
/// recording one again updates it (a later listing knows its payout; a first one may not).
/// Unsaved: the caller's SaveChanges commits.
/// </summary>
public sealed class BalanceTransactionBook(DonationsDbContext db, TimeProvider time)
{
    public async Task<StripeBalanceTransaction> RecordAsync(BalanceTransaction bt, long? donationId, string? payoutId, CancellationToken ct)
    {
        var row = db.StripeBalanceTransactions.Tracked().FirstOrDefault(t => t.Id == bt.Id)
                  ?? await db.StripeBalanceTransactions.SingleOrDefaultAsync(t => t.Id == bt.Id, ct);
        if (row is null)
        {
            row = new StripeBalanceTransaction { Id = bt.Id, Type = bt.Type, Currency = bt.Currency };
            db.StripeBalanceTransactions.Add(row);
        }
        row.Type = bt.Type;
        row.ReportingCategory = bt.ReportingCategory;
        row.SourceId = bt.SourceId ?? row.SourceId;
        row.Amount = bt.Amount;
        row.Fee = bt.Fee;
        row.Net = bt.Net;
        row.Currency = bt.Currency.ToLowerInvariant();
        row.ExchangeRate = bt.ExchangeRate;
        row.CreatedAt = bt.Created;
        row.AvailableOn = bt.AvailableOn;
        row.DonationId = donationId ?? row.DonationId;
        row.PayoutId = payoutId ?? row.PayoutId;
        row.FetchedAt = time.GetUtcNow().UtcDateTime;
        return row;
    }
}
