using Donations.Api.Infrastructure;

namespace Donations.Tests.Receipts;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(2500, "usd", "$25.00", "25.00")]
    [InlineData(123456, "usd", "$1,234.56", "1234.56")]
    [InlineData(500, "jpy", "¥500", "500")]
    [InlineData(1000, "eur", "€10.00", "10.00")]
    [InlineData(1234, "kwd", "KWD 1.234", "1.234")]
    [InlineData(999, "sek", "SEK 9.99", "9.99")]
    public void Amounts_are_printed_with_the_currency_s_own_decimals(long minor, string currency, string display, string major)
    {
        Assert.Equal(display, Money.Format(minor, currency));
        Assert.Equal(major, Money.ToMajorString(minor, currency));
    }

    [Fact]
    public void Yen_and_won_have_no_minor_unit()
    {
        Assert.True(Money.IsZeroDecimal("JPY"));
        Assert.True(Money.IsZeroDecimal("krw"));
        Assert.False(Money.IsZeroDecimal("usd"));
    }
}
