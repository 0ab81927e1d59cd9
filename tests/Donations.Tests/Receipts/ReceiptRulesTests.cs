using Donations.Api.Features.Receipts;
using Donations.Data.Entities;

namespace Donations.Tests.Receipts;

public sealed class ReceiptRulesTests
{
    [Theory]
    [InlineData(DonationStatus.Succeeded, 0, null, 10000)]
    [InlineData(DonationStatus.PartiallyRefunded, 4000, null, 6000)]
    [InlineData(DonationStatus.Refunded, 10000, null, 0)]
    [InlineData(DonationStatus.Disputed, 0, "needs_response", 10000)]
    [InlineData(DonationStatus.Succeeded, 0, "won", 10000)]
    [InlineData(DonationStatus.Refunded, 10000, "lost", 0)]
    [InlineData(DonationStatus.PartiallyRefunded, 3000, "lost", 7000)]
    [InlineData(DonationStatus.Disputed, 0, "lost", 0)]
    public void A_receipt_states_what_remains_given_after_refunds_and_lost_disputes(DonationStatus status, long refunded, string? dispute, long stated)
    {
        var donation = new Donation { SettlementKey = "pi:x", Currency = "usd", Amount = 10000, Status = status, RefundedAmount = refunded, DisputeStatus = dispute };

        Assert.Equal(stated, ReceiptRules.StatedAmount(donation));
    }

    [Fact]
    public void Deductible_amount_is_the_gift_less_the_value_of_benefits_and_never_negative()
    {
        Assert.Equal(4500, ReceiptRules.Deductible(5000, 500));
        Assert.Equal(0, ReceiptRules.Deductible(300, 500));
    }
}
