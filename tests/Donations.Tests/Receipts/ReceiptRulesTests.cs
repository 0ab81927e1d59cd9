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

        Assert.Equal(stated, ReceiptRules.StatedAmount(donation));
    }

    [Fact]
    public void Deductible_amount_is_the_gift_less_the_value_of_benefits_and_never_negative()
    {
        Assert.Equal(4500, ReceiptRules.Deductible(5000, 500));
        Assert.Equal(0, ReceiptRules.Deductible(300, 500));
    }

    /// <summary>
    /// The IRS tests (quid pro quo over $75, Rev. Proc. 90-12's 2% and dollar cap) look at the
    /// payment as it was made, so a later partial refund does not reclassify the benefits; what is
    /// deductible is the payment, less the benefits counted against it, less what was refunded.
    /// </summary>
    [Theory]
    // $300 with a $5 benefit disregarded as insubstantial, $100 refunded: $200, still fully deductible.
    [InlineData(30000, 500, BenefitsTreatment.Insubstantial, 10000, 20000)]
    // $100 with $20 of goods deducted, $50 refunded: $50 counted, $30 deductible (not reclassified though now under $75).
    [InlineData(10000, 2000, BenefitsTreatment.Deducted, 5000, 3000)]
    // $100 with $20 of goods, $90 refunded: the goods' value exceeds what remains, nothing is deductible.
    [InlineData(10000, 2000, BenefitsTreatment.Deducted, 9000, 0)]
    public void A_partial_refund_keeps_the_benefits_treatment_of_the_payment_as_made(
        long amount, long benefits, BenefitsTreatment treatment, long refunded, long deductible)
    {
        var donation = new Donation
        {
            SettlementKey = "pi:x", Currency = "usd", Amount = amount, BenefitsValue = benefits, BenefitsDescription = "Tote bag",
            BenefitsTreatment = treatment, ChargeRefundedAmount = refunded,
        };
        DonationStatusRules.Apply(donation);

        Assert.Equal(treatment, donation.BenefitsTreatment);
        Assert.Equal(deductible, ReceiptRules.Deductible(ReceiptRules.StatedAmount(donation), donation));
    }
}
