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
}
