using Donations.Api.Features.Checkout;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;

namespace Donations.Tests.Checkout;

/// <summary>The fee arithmetic on its own: pure logic, so unit tests over many amounts.</summary>
public sealed class ProcessingFeeTests
{
    private static ProcessingFee Fee(decimal percent, decimal fixedPart) =>
        ProcessingFee.From(new DonationsOptions { ProcessingFeePercent = percent, ProcessingFeeFixed = fixedPart });

    [Theory]
    [InlineData(2.9, 0.30, "usd")]
    [InlineData(2.2, 0.20, "eur")]
    [InlineData(3.6, 0, "jpy")]
    [InlineData(1.4, 0.25, "kwd")]
    public void Covering_the_fee_nets_at_least_the_gift_and_never_a_whole_unit_more(decimal percent, decimal fixedPart, string currency)
    {
        var fee = Fee(percent, fixedPart);
        var fixedMinor = fee.FixedMinor(currency);
        // Three-decimal currencies take gifts and charges in steps of 10 minor units.
        var step = Currencies.ChargeStep(currency);
        for (long gift = 100; gift <= 100_000; gift += 7 * step)
        {
            var charged = gift + fee.For(gift, currency);
            // Stripe rounds its percentage to the nearest minor unit; what is left must cover the gift.
            var stripeKeeps = (long)Math.Round(charged * percent / 100m, MidpointRounding.AwayFromZero) + fixedMinor;
            Assert.True(charged - stripeKeeps >= gift, $"{gift} {currency}: charged {charged}, Stripe keeps {stripeKeeps}");
            Assert.Equal(0, charged % step);
            // One step less would not cover the exact percentage: the charge is the smallest that does.
            Assert.True((charged - step) * (1 - percent / 100m) < gift + fixedMinor, $"{gift} {currency}: charged {charged} is more than needed");
        }
    }

    [Fact]
    public void No_fee_configured_adds_nothing()
    {
        Assert.Equal(0, Fee(0, 0).For(2500, "usd"));
    }

    [Theory]
    [InlineData(2.9, 0.30, "usd", "2.9% + $0.30")]
    [InlineData(2.9, 0.30, "jpy", "2.9%")]
    [InlineData(1.5, 0.25, "eur", "1.5% + €0.25")]
    public void The_page_describes_the_fee_in_the_chosen_currency(decimal percent, decimal fixedPart, string currency, string text)
    {
        Assert.Equal(text, Fee(percent, fixedPart).Describe(currency));
    }
}
