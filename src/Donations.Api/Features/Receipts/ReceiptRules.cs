using Donations.Data.Entities;

namespace Donations.Api.Features.Receipts;

/// <summary>What a donation's receipts must say, given what Stripe has told us about it.</summary>
public static class ReceiptRules
{
    /// <summary>
    /// The amount that still counts as given. Event handlers fold a lost dispute's amount into
    /// <see cref="Donation.RefundedAmount"/>; a lost dispute recorded without an amount is taken to
    /// cover the whole charge, as Stripe disputes usually do.
    /// </summary>
    public static long StatedAmount(Donation d) =>
        d.Status == DonationStatus.Refunded || (IsLostDispute(d) && d.RefundedAmount == 0)
            ? 0
            : Math.Clamp(d.Amount - d.RefundedAmount, 0, d.Amount);

    public static bool IsLostDispute(Donation d) => string.Equals(d.DisputeStatus, "lost", StringComparison.OrdinalIgnoreCase);

    /// <summary>IRS Publication 1771: deductible is the payment minus the fair market value of benefits.</summary>
    public static long Deductible(long amount, long benefitsValue) => Math.Max(0, amount - benefitsValue);

    /// <summary>The receipt currently standing for the gift: the newest original or correction not voided.</summary>
    public static Receipt? Standing(IEnumerable<Receipt> receipts) => receipts
        .Where(r => r.Kind != ReceiptKind.VoidNotice && r.Status != ReceiptStatus.Voided)
        .OrderByDescending(r => r.Sequence).ThenByDescending(r => r.Id)
        .FirstOrDefault();
}
