using Donations.Data.Entities;

namespace Donations.Api.Features.Donations;

/// <summary>
/// A donation's status follows from its refunds and its dispute, so each event only updates
/// those facts (<see cref="Donation.ChargeRefundedAmount"/>, <see cref="Donation.LostDisputeAmount"/>,
/// the dispute's status) and the total taken back and the status are derived again: the result is
/// the same in any order.
/// </summary>
public static class DonationStatusRules
{
    /// <summary>Dispute statuses after which the money's fate is settled (until a lost one is appealed).</summary>
    public static bool IsDisputeClosed(string? status) => status is "won" or "lost" or "warning_closed" or "prevented";

    /// <summary>The money is gone: lost, or lost and under appeal (it comes back only if the appeal is won).</summary>
    public static bool CountsAsLost(string? status) => status is "lost" or "appeal_needs_response" or "appeal_under_review";

    /// <summary>
    /// An event of the donation's dispute older than the one applied. A decided dispute never opens
    /// again (it can only be appealed), so an opening status after a decision or an appeal is stale
    /// whatever its time; otherwise the event's creation time decides, and on a tie (Stripe's
    /// timestamps are whole seconds) the event applies.
    /// </summary>
    public static bool IsOlderDisputeEvent(Donation d, DateTime created, string status) =>
        Stage(status) < Stage(d.DisputeStatus) || (d.DisputeEventAt is { } applied && created < applied);

    private static int Stage(string? status) => IsDisputeClosed(status) || CountsAsLost(status) ? 1 : 0;

    public static void Apply(Donation d)
    {
        d.RefundedAmount = Math.Clamp(d.ChargeRefundedAmount + d.LostDisputeAmount, 0, d.Amount);
        d.Status = d.DisputeStatus is not null && !IsDisputeClosed(d.DisputeStatus) ? DonationStatus.Disputed
            : d.RefundedAmount >= d.Amount && d.Amount > 0 ? DonationStatus.Refunded
            : d.RefundedAmount > 0 ? DonationStatus.PartiallyRefunded
            : DonationStatus.Succeeded;
    }
}
