using Donations.Api.Infrastructure;

namespace Donations.Tests.Staff;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(500L, "jpy", "500")]
    [InlineData(500L, "JPY", "500")]
    [InlineData(123450L, "usd", "1234.50")]
    [InlineData(5L, "eur", "0.05")]
    [InlineData(0L, "usd", "0.00")]
    [InlineData(12345L, "kwd", "12.345")]
    [InlineData(1000L, "isk", "10.00")]
    public void Minor_units_are_written_as_major_units_with_a_point_and_the_currencys_own_decimals(long minor, string currency, string expected) =>
        Assert.Equal(expected, Money.ToMajorString(minor, currency));

    [Theory]
    [InlineData("25.00", "usd", 2500L)]
    [InlineData("500", "jpy", 500L)]
    [InlineData("1.5", "bhd", 1500L)]
    public void Major_units_convert_to_minor_units(string major, string currency, long expected) =>
        Assert.Equal(expected, Money.ToMinor(decimal.Parse(major, System.Globalization.CultureInfo.InvariantCulture), currency));

    [Fact]
    public void An_amount_finer_than_the_currency_allows_is_refused() =>
        Assert.Throws<ArgumentException>(() => Money.ToMinor(500.5m, "jpy"));
}
