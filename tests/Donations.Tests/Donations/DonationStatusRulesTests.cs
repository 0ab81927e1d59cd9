using Donations.Api.Features.Donations;
using Donations.Data.Entities;

namespace Donations.Tests.Donations;

/// <summary>A gift's status and amount taken back, derived from its refunds and its dispute; and which dispute events are stale.</summary>
public sealed class DonationStatusRulesTests
{
    [Theory]
    [InlineData(0, 0, null, DonationStatus.Succeeded, 0)]
    [InlineData(1, 0, null, DonationStatus.PartiallyRefunded, 1)]
    [InlineData(9999, 0, null, DonationStatus.PartiallyRefunded, 9999)]
    [InlineData(10000, 0, null, DonationStatus.Refunded, 10000)]
    [InlineData(6000, 6000, "lost", DonationStatus.Refunded, 10000)]        // taken back twice over: never more than was paid
    [InlineData(0, 0, "needs_response", DonationStatus.Disputed, 0)]
    [InlineData(0, 10000, "appeal_under_review", DonationStatus.Disputed, 10000)]
    [InlineData(0, 0, "won", DonationStatus.Succeeded, 0)]
    [InlineData(0, 0, "warning_closed", DonationStatus.Succeeded, 0)]
    [InlineData(0, 0, "prevented", DonationStatus.Succeeded, 0)]
    [InlineData(0, 4000, "lost", DonationStatus.PartiallyRefunded, 4000)]
    public void The_status_and_the_amount_taken_back_follow_from_refunds_and_the_dispute(
        long refunded, long lostDispute, string? dispute, DonationStatus status, long takenBack)
    {
        var d = new Donation { SettlementKey = "pi:x", Currency = "usd", Amount = 10000, ChargeRefundedAmount = refunded, LostDisputeAmount = lostDispute, DisputeStatus = dispute };

        DonationStatusRules.Apply(d);

        Assert.Equal((status, takenBack), (d.Status, d.RefundedAmount));
    }

    [Fact]
    public void A_gift_of_nothing_is_never_called_refunded()
    {
        var d = new Donation { SettlementKey = "pi:x", Currency = "usd", Amount = 0 };

        DonationStatusRules.Apply(d);

        Assert.Equal(DonationStatus.Succeeded, d.Status);
    }

    [Theory]
    [InlineData("won", true)]
    [InlineData("lost", true)]
    [InlineData("warning_closed", true)]
    [InlineData("prevented", true)]
    [InlineData("needs_response", false)]
    [InlineData("under_review", false)]
    [InlineData("appeal_under_review", false)]
    [InlineData(null, false)]
    public void A_dispute_is_closed_once_decided(string? status, bool closed) =>
        Assert.Equal(closed, DonationStatusRules.IsDisputeClosed(status));

    [Theory]
    [InlineData("lost", true)]
    [InlineData("appeal_needs_response", true)]
    [InlineData("appeal_under_review", true)]
    [InlineData("won", false)]
    [InlineData("needs_response", false)]
    [InlineData(null, false)]
    public void The_money_counts_as_lost_while_lost_or_under_appeal(string? status, bool lost) =>
        Assert.Equal(lost, DonationStatusRules.CountsAsLost(status));

    [Theory]
    // A decided or appealed dispute never opens again, whatever the times say.
    [InlineData("lost", 0, "needs_response", 60, true)]
    [InlineData("appeal_under_review", 0, "under_review", 60, true)]
    // Otherwise the event's time decides; a tie applies (whole-second timestamps).
    [InlineData("needs_response", 0, "under_review", -1, true)]
    [InlineData("needs_response", 0, "under_review", 0, false)]
    [InlineData("needs_response", 0, "lost", 1, false)]
    [InlineData("lost", 0, "appeal_needs_response", 1, false)]
    [InlineData("lost", 0, "won", -1, true)]
    [InlineData(null, 0, "needs_response", -60, false)] // nothing applied yet
    public void An_older_or_reopening_dispute_event_is_stale(string? applied, int appliedAt, string status, int createdAt, bool stale)
    {
        var at = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        var d = new Donation
        {
            SettlementKey = "pi:x", Currency = "usd", Amount = 10000, DisputeStatus = applied,
            DisputeEventAt = applied is null ? null : at.AddSeconds(appliedAt),
        };

        Assert.Equal(stale, DonationStatusRules.IsOlderDisputeEvent(d, at.AddSeconds(createdAt), status));
    }
}
