using Donations.Api.Features.Donations;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// A donor's gifts for their data download, each as it stands for tax (by <see cref="GiftAmounts"/>,
/// the rule receipts and statements state it by), with its refunds, its dispute and the receipts
/// issued for it.
/// </summary>
public static class DonorDataGifts
{
    public sealed record Loaded(List<object> Gifts, List<Receipt> Receipts);

    public static async Task<Loaded> LoadAsync(DonationsDbContext db, long donorId, CancellationToken ct)
    {
        var gifts = await db.Donations.AsNoTracking().Where(d => d.DonorId == donorId).OrderBy(d => d.ReceivedAt).ThenBy(d => d.Id).ToListAsync(ct);
        var receipts = await db.Receipts.AsNoTracking().Where(r => r.Donation!.DonorId == donorId).OrderBy(r => r.IssuedAt).ThenBy(r => r.Id).ToListAsync(ct);
        var numbers = receipts.ToDictionary(r => r.Id, r => r.Number);
        var byGift = receipts.ToLookup(r => r.DonationId);
        return new Loaded([.. gifts.Select(d => Describe(d, byGift[d.Id], numbers))], receipts);
    }

    private static object Describe(Donation d, IEnumerable<Receipt> receipts, Dictionary<long, string> numbers)
    {
        var stated = GiftAmounts.StatedAmount(d);
        return new
        {
            d.Id, d.ReceivedAt, d.Amount, d.Currency, Frequency = d.Frequency.ToString(), Status = d.Status.ToString(), d.RefundedAmount,
            d.FeeCovered, d.FeeAmount, d.BenefitsValue, d.BenefitsDescription, d.Campaign, d.Source, d.UtmMedium, d.UtmContent, d.UtmTerm,
            d.StripePaymentIntentId, d.StripeChargeId, d.StripeInvoiceId, d.StripeSubscriptionId,
            Tax = new
            {
                StatedAmount = stated,
                BenefitsTreatment = d.BenefitsTreatment.ToString(),
                BenefitsValueDeducted = GiftAmounts.DeductedBenefits(d),
                DeductibleAmount = GiftAmounts.Deductible(stated, d),
            },
            Refunds = new { RefundedByStripe = d.ChargeRefundedAmount, LostInDispute = d.LostDisputeAmount },
            Dispute = d.DisputeStatus is null ? null : new { Outcome = DisputeOutcome(d.DisputeStatus), StripeStatus = d.DisputeStatus, d.StripeDisputeId },
            Receipts = receipts.Select(r => new
            {
                r.Number, Kind = r.Kind.ToString(), Status = r.Status.ToString(),
                Replaces = r.ReplacesReceiptId is { } id ? numbers.GetValueOrDefault(id) : null,
                r.Amount, r.DeductibleAmount, r.IssuedAt, r.SentAt, r.VoidedAt,
            }),
        };
    }

    /// <summary>
    /// open, won or lost; lost while an appeal is pending (the money comes back only if it is won);
    /// closed for an inquiry Stripe closed without a chargeback or one prevented before it began.
    /// </summary>
    public static string DisputeOutcome(string stripeStatus) => stripeStatus.ToLowerInvariant() switch
    {
        "won" => "won",
        var s when DonationStatusRules.CountsAsLost(s) => "lost",
        var s when DonationStatusRules.IsDisputeClosed(s) => "closed",
        _ => "open",
    };
}
