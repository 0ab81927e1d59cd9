using Donations.Api.Features.Checkout;
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
        for (long gift = 100; gift <= 100_000; gift += 7)
        {
            var charged = gift + fee.For(gift, currency);
            // Stripe rounds its percentage to the nearest minor unit; what is left must cover the gift.
            var stripeKeeps = (long)Math.Round(charged * percent / 100m, MidpointRounding.AwayFromZero) + fixedMinor;
            Assert.True(charged - stripeKeeps >= gift, $"{gift} {currency}: charged {charged}, Stripe keeps {stripeKeeps}");
            // One unit less would not cover the exact percentage: the charge is the smallest that does.
            Assert.True((charged - 1) * (1 - percent / 100m) < gift + fixedMinor, $"{gift} {currency}: charged {charged} is more than needed");
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

    [Theory]
    [InlineData("25", "usd", 25.0)]
    [InlineData("$1,250.50", "usd", 1250.5)]
    [InlineData(" 12.345 ", "kwd", 12.345)]
    [InlineData("¥500", "jpy", 500.0)]
    public void Typed_amounts_are_read_as_major_units(string typed, string currency, decimal expected)
    {
        Assert.Equal(expected, CurrencyUnits.ParseMajor(typed, currency));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("five")]
    [InlineData("1e3")]
    public void Anything_else_is_not_an_amount(string typed)
    {
        Assert.Null(CurrencyUnits.ParseMajor(typed, "usd"));
    }

    [Theory]
    [InlineData(123456, "usd", false, "$1,234.56")]
    [InlineData(2500, "usd", true, "$25")]
    [InlineData(1030, "jpy", false, "¥1,030")]
    [InlineData(5000, "kwd", false, "KWD 5.000")]
    public void Amounts_are_shown_in_the_currencys_own_unit(long minor, string currency, bool compact, string text)
    {
        Assert.Equal(text, CurrencyUnits.Format(minor, currency, compact));
    }
}
