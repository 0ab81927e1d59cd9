using Donations.Data.Entities;

namespace Donations.Api.Features.Donations;

/// <summary>
/// A donation's status follows from its refunds and its dispute, so each event only updates
/// those facts and the status is derived again: the result is the same in any order.
/// </summary>
public static class DonationStatusRules
{
    /// <summary>Dispute statuses after which the money's fate is settled.</summary>
    public static bool IsDisputeClosed(string? status) => status is "won" or "lost" or "warning_closed" or "prevented";

    public static void Apply(Donation d)
    {
        d.RefundedAmount = Math.Clamp(d.RefundedAmount, 0, d.Amount);
        d.Status = d.DisputeStatus is not null && !IsDisputeClosed(d.DisputeStatus) ? DonationStatus.Disputed
            : d.RefundedAmount >= d.Amount && d.Amount > 0 ? DonationStatus.Refunded
            : d.RefundedAmount > 0 ? DonationStatus.PartiallyRefunded
            : DonationStatus.Succeeded;
    }
}
