using Donations.Data.Entities;

namespace Donations.Api.Features.Receipts;

/// <summary>What a donation's receipts must say, given what Stripe has told us about it.</summary>
public static class ReceiptRules
{
    /// <summary>
    /// The amount that still counts as given. A lost dispute takes the whole charge back (Stripe
    /// disputes cover the charge), so it reads like a full refund.
    /// </summary>
    public static long StatedAmount(Donation d) =>
        d.Status == DonationStatus.Refunded || IsLostDispute(d) ? 0 : Math.Max(0, d.Amount - d.RefundedAmount);

    public static bool IsLostDispute(Donation d) => string.Equals(d.DisputeStatus, "lost", StringComparison.OrdinalIgnoreCase);

    /// <summary>IRS Publication 1771: deductible is the payment minus the fair market value of benefits.</summary>
    public static long Deductible(long amount, long benefitsValue) => Math.Max(0, amount - benefitsValue);

    /// <summary>The receipt currently standing for the gift: the newest original or correction not voided.</summary>
    public static Receipt? Standing(IEnumerable<Receipt> receipts) => receipts
        .Where(r => r.Kind != ReceiptKind.VoidNotice && r.Status != ReceiptStatus.Voided)
        .OrderByDescending(r => r.Sequence).ThenByDescending(r => r.Id)
        .FirstOrDefault();
}
