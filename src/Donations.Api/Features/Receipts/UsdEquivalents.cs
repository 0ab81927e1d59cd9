using Donations.Data;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// What a gift in another currency came to in US dollars: the amount of its charge's balance
/// transaction, which is Stripe's conversion at settlement, as the finance feature recorded it.
/// Known only once that transaction has been read and only when the account settles in USD; until
/// then documents say nothing rather than guess a rate (no other gift's rate is borrowed here; the
/// benefits tests' borrowed rate is the memberships feature's <c>PaymentUsdRates</c>).
/// <para>
/// Whether that rate includes Stripe's currency conversion fee depends on the account, and the books
/// cannot tell which. Stripe's types (stripe@23.1.0, <c>BalanceTransaction.exchange_rate</c>) define
/// the rate only as <c>amount × exchange_rate</c> = the settled amount, and list fees in
/// <c>fee_details</c>; Stripe's support article "Understanding your currency conversion fees" says
/// conversions start from the mid-market rate and the fee is charged either the old way, through a
/// fee-adjusted exchange rate (the settled amount is lowered by the fee), or, more recently, as a
/// separate fee netted from a mid-market settlement. The finance books keep the gross, fee, net and
/// rate but not <c>fee_details</c>, so a fee-adjusted rate cannot be undone without guessing the fee.
/// The settled amount is therefore printed as it is (it is what the payment brought in, and it never
/// overstates the gift), and receipts and statements say that Stripe's rate may include its fee and
/// that the donor may use the market rate of the day instead.
/// </para>
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
