using Donations.Data.Entities;

namespace Donations.Api.Features.Donations;

/// <summary>
/// What a gift is worth for tax, given what Stripe has told us about it: the one rule receipts,
/// statements, exports and reports all state it by.
/// </summary>
public static class GiftAmounts
{
    /// <summary>
    /// The amount that still counts as given: paid minus refunds and a lost dispute's amount
    /// (<see cref="Donation.RefundedAmount"/> totals both); a lost dispute recorded without an
    /// amount is taken to cover the whole charge, as Stripe disputes usually do.
    /// </summary>
    public static long StatedAmount(Donation d) =>
        d.Status == DonationStatus.Refunded || (IsLostDispute(d) && d.LostDisputeAmount == 0)
            ? 0
            : Math.Clamp(d.Amount - d.RefundedAmount, 0, d.Amount);

    public static bool IsLostDispute(Donation d) => string.Equals(d.DisputeStatus, "lost", StringComparison.OrdinalIgnoreCase);

    /// <summary>IRS Publication 1771: deductible is the payment minus the fair market value of benefits.</summary>
    public static long Deductible(long amount, long benefitsValue) => Math.Max(0, amount - benefitsValue);

    /// <summary>The deductible part of <paramref name="amount"/> of this gift: benefits the IRS lets us disregard are not taken off.</summary>
    public static long Deductible(long amount, Donation d) => Deductible(amount, DeductedBenefits(d));

    /// <summary>The benefits' value that counts against the gift: nothing when they are disregarded or declined.</summary>
    public static long DeductedBenefits(Donation d) => d.BenefitsTreatment == BenefitsTreatment.Deducted ? d.BenefitsValue : 0;
}
