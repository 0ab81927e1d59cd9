using Donations.Api.Features.Donations;
using Donations.Data.Entities;

namespace Donations.Api.Features.Receipts;

/// <summary>What a donation's receipts must say, given what Stripe has told us about it (its amounts: <see cref="GiftAmounts"/>).</summary>
public static class ReceiptRules
{
    /// <summary>A dispute Stripe has not closed yet: the gift may still be taken back, so documents flag it.</summary>
    public static bool IsOpenDispute(Donation d) => d.DisputeStatus is { } s
        && s.ToLowerInvariant() is not ("won" or "lost" or "warning_closed" or "prevented");

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
