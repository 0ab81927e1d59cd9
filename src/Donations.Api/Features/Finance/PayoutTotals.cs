using Donations.Data;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// What one paid payout paid out, summed from its recorded balance transactions (the payout's own
/// transaction left out), in the payout's currency. Gift amounts are those linked to a gift;
/// anything else on the account is "other", the money of a failed earlier payout coming back
/// included. Signs are Stripe's: money in positive. A payout that failed or was canceled reached no
/// bank and is in no export.
/// </summary>
public sealed record PayoutTotals(
    string PayoutId, DateTime ArrivalDate, string Currency, long BankAmount,
    long Charges, long Fees, long Refunds, long Disputes, long Net,
    long GiftCharges, long GiftRefunds, long GiftDisputes, long OtherAmount,
    int Gifts, int Unmatched)
{
    public static readonly string[] ChargeTypes = ["charge", "payment"];
    public static readonly string[] RefundTypes = ["refund", "payment_refund", "refund_failure", "payment_failure_refund"];
    public static readonly string[] DisputeCategories = ["dispute", "dispute_reversal"];
    /// <summary>A payout's own transaction; <c>payout_failure</c> and <c>payout_cancel</c> return money to the balance and are paid out again.</summary>
    public const string OwnPayoutType = "payout";

    /// <summary>Payouts that arrived in [from, to) (or the one payout named), oldest first; one query, summed in the database.</summary>
    public static IQueryable<PayoutTotals> Query(DonationsDbContext db, DateTime? from, DateTime? to, string? payoutId = null)
    {
        var payouts = db.StripePayouts.AsNoTracking().Where(p => p.Status == "paid");
        if (payoutId is not null) payouts = payouts.Where(p => p.Id == payoutId);
        if (from is { } f) payouts = payouts.Where(p => p.ArrivalDate >= f);
        if (to is { } t) payouts = payouts.Where(p => p.ArrivalDate < t);
        var moved = db.StripeBalanceTransactions.Where(t => t.Type != OwnPayoutType);
        return payouts.OrderBy(p => p.ArrivalDate).ThenBy(p => p.Id).Select(p => new PayoutTotals(
            p.Id, p.ArrivalDate, p.Currency, p.Amount,
            moved.Where(t => t.PayoutId == p.Id && ChargeTypes.Contains(t.Type)).Sum(t => t.Amount),
            moved.Where(t => t.PayoutId == p.Id).Sum(t => t.Fee),
            -moved.Where(t => t.PayoutId == p.Id && RefundTypes.Contains(t.Type)).Sum(t => t.Amount),
            -moved.Where(t => t.PayoutId == p.Id && DisputeCategories.Contains(t.ReportingCategory!)).Sum(t => t.Amount),
            moved.Where(t => t.PayoutId == p.Id).Sum(t => t.Net),
            moved.Where(t => t.PayoutId == p.Id && t.DonationId != null && ChargeTypes.Contains(t.Type)).Sum(t => t.Amount),
            -moved.Where(t => t.PayoutId == p.Id && t.DonationId != null && RefundTypes.Contains(t.Type)).Sum(t => t.Amount),
            -moved.Where(t => t.PayoutId == p.Id && t.DonationId != null && DisputeCategories.Contains(t.ReportingCategory!)).Sum(t => t.Amount),
            moved.Where(t => t.PayoutId == p.Id && (t.DonationId == null
                || (!ChargeTypes.Contains(t.Type) && !RefundTypes.Contains(t.Type) && !DisputeCategories.Contains(t.ReportingCategory!)))).Sum(t => t.Amount),
            moved.Where(t => t.PayoutId == p.Id && t.DonationId != null && ChargeTypes.Contains(t.Type)).Select(t => t.DonationId).Distinct().Count(),
            moved.Count(t => t.PayoutId == p.Id && t.DonationId == null)));
    }
}
