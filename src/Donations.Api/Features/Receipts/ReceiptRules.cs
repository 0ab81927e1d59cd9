using Donations.Data.Entities;

namespace Donations.Api.Features.Receipts;

/// <summary>What a donation's receipts must say, given what Stripe has told us about it.</summary>
public static class ReceiptRules
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

    /// <summary>A dispute Stripe has not closed yet: the gift may still be taken back, so documents flag it.</summary>
    public static bool IsOpenDispute(Donation d) => d.DisputeStatus is { } s
        && s.ToLowerInvariant() is not ("won" or "lost" or "warning_closed" or "prevented");

    public static bool IsLostDispute(Donation d) => string.Equals(d.DisputeStatus, "lost", StringComparison.OrdinalIgnoreCase);

    /// <summary>IRS Publication 1771: deductible is the payment minus the fair market value of benefits.</summary>
    public static long Deductible(long amount, long benefitsValue) => Math.Max(0, amount - benefitsValue);

    /// <summary>The deductible part of <paramref name="amount"/> of this gift: benefits the IRS lets us disregard are not taken off.</summary>
    public static long Deductible(long amount, Donation d) => Deductible(amount, DeductedBenefits(d));

    /// <summary>The benefits' value that counts against the gift: nothing when they are disregarded or declined.</summary>
    public static long DeductedBenefits(Donation d) => d.BenefitsTreatment == BenefitsTreatment.Deducted ? d.BenefitsValue : 0;

    /// <summary>
    /// Why benefits listed with the gift leave it fully deductible, for the sentence the receipt
    /// must then carry; null when there are none or their value is deducted. A tier whose benefits
    /// are valued at nothing must not claim "no goods or services were provided".
    /// </summary>
    public static string? DisregardedBenefitsReason(Donation d) => d.BenefitsTreatment switch
    {
        _ when string.IsNullOrWhiteSpace(d.BenefitsDescription) => null,
        BenefitsTreatment.Insubstantial => "insubstantial",
        BenefitsTreatment.MembershipPrivileges => "membership-privileges",
        BenefitsTreatment.Declined => "declined",
        _ => d.BenefitsValue == 0 ? "no-value" : null,
    };

    /// <summary>The receipt currently standing for the gift: the newest original or correction not voided.</summary>
    public static Receipt? Standing(IEnumerable<Receipt> receipts) => receipts
        .Where(r => r.Kind != ReceiptKind.VoidNotice && r.Status != ReceiptStatus.Voided)
        .OrderByDescending(r => r.Sequence).ThenByDescending(r => r.Id)
        .FirstOrDefault();
}
