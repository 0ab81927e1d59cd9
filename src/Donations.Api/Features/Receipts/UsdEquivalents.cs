using Donations.Data;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// What a gift in another currency came to in US dollars: the amount of its charge's balance
/// transaction, which is Stripe's conversion at settlement, as the finance feature recorded it.
/// Known only once that transaction has been read and only when the account settles in USD; until
/// then documents say nothing rather than guess a rate.
/// </summary>
public static class UsdEquivalents
{
    private static readonly string[] ChargeTypes = ["charge", "payment"];

    /// <summary>The settled USD amount (cents) of each gift that has one.</summary>
    public static async Task<Dictionary<long, long>> SettledAsync(DonationsDbContext db, IReadOnlyCollection<long> donationIds, CancellationToken ct)
    {
        if (donationIds.Count == 0) return [];
        var rows = await db.StripeBalanceTransactions.AsNoTracking()
            .Where(t => t.DonationId != null && donationIds.Contains(t.DonationId.Value) && ChargeTypes.Contains(t.Type) && t.Currency == "usd")
            .Select(t => new { DonationId = t.DonationId!.Value, t.Amount, t.CreatedAt })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.DonationId).ToDictionary(g => g.Key, g => g.OrderBy(r => r.CreatedAt).First().Amount);
    }

    /// <summary>
    /// <paramref name="part"/> of a gift of <paramref name="paid"/> (its own currency) in USD cents,
    /// at the rate its whole payment settled at: what remains after a refund, or the deductible part.
    /// </summary>
    public static long Share(long settledUsd, long paid, long part) =>
        paid <= 0 ? 0 : (long)Math.Round((decimal)settledUsd * part / paid, MidpointRounding.AwayFromZero);
}
