using Donations.Api.Features.Donations;
using Donations.Api.Features.Receipts;
using Donations.Data.Entities;

namespace Donations.Tests.Receipts;

public sealed class ReceiptRulesTests
{
    [Theory]
    [InlineData(0, 0, null, 10000)]
    [InlineData(4000, 0, null, 6000)]
    [InlineData(10000, 0, null, 0)]
    [InlineData(0, 0, "needs_response", 10000)]
    [InlineData(0, 0, "won", 10000)]
    [InlineData(0, 10000, "lost", 0)]
    [InlineData(0, 3000, "lost", 7000)]
    [InlineData(0, 0, "lost", 0)]
    [InlineData(2000, 8000, "lost", 0)]
    [InlineData(2000, 5000, "appeal_under_review", 3000)]
    [InlineData(2000, 0, "won", 8000)]
    public void A_receipt_states_what_remains_given_after_refunds_and_lost_disputes(long refunded, long lostDispute, string? dispute, long stated)
    {
        var donation = new Donation
        {
            SettlementKey = "pi:x", Currency = "usd", Amount = 10000,
            ChargeRefundedAmount = refunded, LostDisputeAmount = lostDispute, DisputeStatus = dispute,
        };
        DonationStatusRules.Apply(donation);

        Assert.Equal(stated, GiftAmounts.StatedAmount(donation));
    }

    [Fact]
    public void Deductible_amount_is_the_gift_less_the_value_of_benefits_and_never_negative()
    {
        Assert.Equal(4500, GiftAmounts.Deductible(5000, 500));
        Assert.Equal(0, GiftAmounts.Deductible(300, 500));
    }

    /// <summary>
    /// What is deductible after a refund: what remains given, less the benefits counted against it
    /// under the treatment the gift has. The status rules leave the treatment alone; the ledger
    /// judges it again on what remains (DonationLedger.RejudgeBenefitsAsync, tested through
    /// MemberBenefitsTests), and these rules then apply whichever it is.
    /// </summary>
    [Theory]
    // $300 with a $5 benefit disregarded, $100 refunded: $200, fully deductible while disregarded.
    [InlineData(30000, 500, BenefitsTreatment.Insubstantial, 10000, 20000)]
    // $100 with $20 of goods deducted, $50 refunded: $50 counted, $30 deductible.
    [InlineData(10000, 2000, BenefitsTreatment.Deducted, 5000, 3000)]
    // $100 with $20 of goods, $90 refunded: the goods' value exceeds what remains, nothing is deductible.
    [InlineData(10000, 2000, BenefitsTreatment.Deducted, 9000, 0)]
    public void After_a_partial_refund_the_deductible_amount_is_what_remains_less_the_benefits_counted_against_it(
        long amount, long benefits, BenefitsTreatment treatment, long refunded, long deductible)
    {
        var donation = new Donation
        {
            SettlementKey = "pi:x", Currency = "usd", Amount = amount, BenefitsValue = benefits, BenefitsDescription = "Tote bag",
            BenefitsTreatment = treatment, ChargeRefundedAmount = refunded,
        };
        DonationStatusRules.Apply(donation);

        Assert.Equal(treatment, donation.BenefitsTreatment);
        Assert.Equal(deductible, GiftAmounts.Deductible(GiftAmounts.StatedAmount(donation), donation));
    }

    [Fact]
    public void The_standing_receipt_is_the_newest_original_or_correction_that_is_not_void()
    {
        Receipt R(long id, int sequence, ReceiptKind kind, ReceiptStatus status = ReceiptStatus.Sent) =>
            new() { Id = id, Number = $"2026-{sequence:000000}", Sequence = sequence, Kind = kind, Status = status, Currency = "usd", MessageId = $"{id}@x" };
        var original = R(1, 1, ReceiptKind.Original);
        var correction = R(2, 7, ReceiptKind.Correction);
        var voidNotice = R(3, 9, ReceiptKind.VoidNotice);

        Assert.Same(correction, ReceiptRules.Standing([original, correction]));
        Assert.Same(correction, ReceiptRules.Standing([correction, original, voidNotice]));
        Assert.Same(original, ReceiptRules.Standing([original, R(4, 8, ReceiptKind.Correction, ReceiptStatus.Voided)]));
        Assert.Null(ReceiptRules.Standing([voidNotice]));
    }
}
