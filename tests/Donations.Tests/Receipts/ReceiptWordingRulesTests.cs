using Donations.Api.Features.Donations;
using Donations.Api.Features.Receipts;
using Donations.Data.Entities;

namespace Donations.Tests.Receipts;

/// <summary>What a receipt must flag and say about a gift's dispute and benefits, and which receipt stands for it.</summary>
public sealed class ReceiptWordingRulesTests
{
    private static Donation Gift(Action<Donation>? shape = null)
    {
        var d = new Donation { SettlementKey = "pi:x", Currency = "usd", Amount = 10000 };
        shape?.Invoke(d);
        return d;
    }

    [Theory]
    [InlineData("needs_response", true)]
    [InlineData("under_review", true)]
    [InlineData("appeal_under_review", true)]
    [InlineData("won", false)]
    [InlineData("WON", false)]
    [InlineData("lost", false)]
    [InlineData("warning_closed", false)]
    [InlineData("prevented", false)]
    [InlineData(null, false)]
    public void Only_a_dispute_Stripe_has_not_closed_is_flagged_as_open(string? status, bool open) =>
        Assert.Equal(open, ReceiptRules.IsOpenDispute(Gift(d => d.DisputeStatus = status)));

    [Theory]
    [InlineData("lost", true)]
    [InlineData("LOST", true)]
    [InlineData("appeal_under_review", false)]
    [InlineData(null, false)]
    public void A_lost_dispute_is_recognised_in_any_case(string? status, bool lost) =>
        Assert.Equal(lost, GiftAmounts.IsLostDispute(Gift(d => d.DisputeStatus = status)));

    [Theory]
    [InlineData(BenefitsTreatment.Insubstantial, 500, "Tote bag", "insubstantial")]
    [InlineData(BenefitsTreatment.MembershipPrivileges, 500, "Member events", "membership-privileges")]
    [InlineData(BenefitsTreatment.Declined, 500, "Tote bag", "declined")]
    [InlineData(BenefitsTreatment.Deducted, 0, "Newsletter", "no-value")]
    [InlineData(BenefitsTreatment.Deducted, 500, "Tote bag", null)]
    [InlineData(BenefitsTreatment.Insubstantial, 500, " ", null)]
    [InlineData(BenefitsTreatment.Deducted, 0, null, null)]
    public void The_reason_benefits_leave_a_gift_fully_deductible(BenefitsTreatment treatment, long value, string? description, string? reason) =>
        Assert.Equal(reason, ReceiptRules.DisregardedBenefitsReason(Gift(d =>
        {
            d.BenefitsTreatment = treatment;
            d.BenefitsValue = value;
            d.BenefitsDescription = description;
        })));

    [Theory]
    [InlineData(BenefitsTreatment.Deducted, 2000, 8000)]
    [InlineData(BenefitsTreatment.Insubstantial, 2000, 10000)]
    [InlineData(BenefitsTreatment.MembershipPrivileges, 2000, 10000)]
    [InlineData(BenefitsTreatment.Declined, 2000, 10000)]
    public void Only_deducted_benefits_come_off_the_deductible_amount(BenefitsTreatment treatment, long value, long deductible) =>
        Assert.Equal(deductible, GiftAmounts.Deductible(10000, Gift(d => { d.BenefitsTreatment = treatment; d.BenefitsValue = value; })));

    [Fact]
    public void The_standing_receipt_is_the_newest_original_or_correction_not_voided()
    {
        Receipt R(long id, int sequence, ReceiptKind kind, ReceiptStatus status) =>
            new() { Id = id, Number = $"2026-{id}", Sequence = sequence, Kind = kind, Status = status, Currency = "usd", MessageId = $"m{id}" };
        var original = R(1, 1, ReceiptKind.Original, ReceiptStatus.Voided);
        var voidNotice = R(2, 3, ReceiptKind.VoidNotice, ReceiptStatus.Sent);
        var correction = R(3, 2, ReceiptKind.Correction, ReceiptStatus.Sent);
        var reinstatement = R(4, 2, ReceiptKind.Reinstatement, ReceiptStatus.Pending);

        Assert.Same(correction, ReceiptRules.Standing([original, voidNotice, correction]));
        Assert.Same(reinstatement, ReceiptRules.Standing([original, voidNotice, correction, reinstatement])); // same sequence: the later row
        Assert.Null(ReceiptRules.Standing([original, voidNotice]));
    }
}
