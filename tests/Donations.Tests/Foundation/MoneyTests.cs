using System.Globalization;
using Donations.Api.Infrastructure;

namespace Donations.Tests.Foundation;

/// <summary>The one money and date module: pure logic, so unit tests over its tables.</summary>
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
    [InlineData(2500, "usd", "$25.00")]
    [InlineData(123456, "usd", "$1,234.56")]
    [InlineData(500, "jpy", "¥500")]
    [InlineData(1000, "eur", "€10.00")]
    [InlineData(1234, "kwd", "KWD 1.234")]
    [InlineData(999, "sek", "SEK 9.99")]
    [InlineData(1030, "JPY", "¥1,030")]
    public void Amounts_are_printed_for_people_with_the_currencys_symbol_and_decimals(long minor, string currency, string display) =>
        Assert.Equal(display, Money.Format(minor, currency));

    [Theory]
    [InlineData(2500, "usd", "$25")]
    [InlineData(2550, "usd", "$25.50")]
    [InlineData(5000, "kwd", "KWD 5")]
    public void Compact_amounts_drop_the_decimals_of_whole_amounts_only(long minor, string currency, string display) =>
        Assert.Equal(display, Money.Format(minor, currency, compact: true));

    [Theory]
    [InlineData("25.00", "usd", 2500L)]
    [InlineData("500", "jpy", 500L)]
    [InlineData("1.5", "bhd", 1500L)]
    public void Major_units_convert_to_minor_units(string major, string currency, long expected) =>
        Assert.Equal(expected, Money.ToMinor(decimal.Parse(major, CultureInfo.InvariantCulture), currency));

    [Theory]
    // The one rule: nearest minor unit, halves away from zero. 0.30 is 0 yen; 0.5 yen is 1 yen.
    [InlineData("0.30", "jpy", 0L)]
    [InlineData("500.5", "jpy", 501L)]
    [InlineData("0.125", "usd", 13L)]
    [InlineData("0.124", "usd", 12L)]
    [InlineData("1.2345", "kwd", 1235L)]
    public void Finer_amounts_round_to_the_nearest_minor_unit_halves_away_from_zero(string major, string currency, long expected) =>
        Assert.Equal(expected, Money.ToMinor(decimal.Parse(major, CultureInfo.InvariantCulture), currency));

    [Theory]
    [InlineData("500", "jpy", true)]
    [InlineData("500.5", "jpy", false)]
    [InlineData("25.50", "usd", true)]
    [InlineData("25.505", "usd", false)]
    [InlineData("1.235", "kwd", true)]
    public void An_amount_is_exact_when_the_currency_has_room_for_its_decimals(string major, string currency, bool exact) =>
        Assert.Equal(exact, Money.IsExact(decimal.Parse(major, CultureInfo.InvariantCulture), currency));

    [Fact]
    public void Yen_and_won_have_no_minor_unit_and_the_three_decimal_currencies_charge_in_tens()
    {
        Assert.True(Currencies.IsZeroDecimal("JPY"));
        Assert.True(Currencies.IsZeroDecimal("krw"));
        Assert.False(Currencies.IsZeroDecimal("usd"));
        Assert.Equal([1L, 1L, 10L, 10L], new[] { "usd", "jpy", "kwd", "TND" }.Select(Currencies.ChargeStep));
    }

    [Theory]
    [InlineData("usd", 50L)]
    [InlineData("eur", 50L)]
    [InlineData("gbp", 30L)]
    [InlineData("jpy", 50L)]
    public void Stripes_minimum_charge_is_known_for_its_settlement_currencies(string currency, long minimum) =>
        Assert.Equal(minimum, Currencies.StripeMinimum(currency));

    [Theory]
    [InlineData("25", "usd", 25.0)]
    [InlineData("$1,250.50", "usd", 1250.5)]
    [InlineData(" 12.345 ", "kwd", 12.345)]
    [InlineData("¥500", "jpy", 500.0)]
    public void Typed_amounts_are_read_as_major_units(string typed, string currency, decimal expected) =>
        Assert.Equal(expected, Money.ParseMajor(typed, currency));

    [Theory]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("five")]
    [InlineData("1e3")]
    public void Anything_else_is_not_an_amount(string typed) =>
        Assert.Null(Money.ParseMajor(typed, "usd"));

    [Fact]
    public void Dates_are_the_organisations_calendar_date()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        // 02:30 UTC on 1 January is still New Year's Eve in New York.
        var instant = new DateTime(2026, 1, 1, 2, 30, 0, DateTimeKind.Utc);
        Assert.Equal("December 31, 2025", Dates.Long(instant, zone));
        Assert.Equal("2025-12-31", Dates.Iso(instant, zone));
        Assert.Equal("2025-12-31 21:30", Dates.IsoMinutes(instant, zone));
        Assert.Equal("December 31, 2025", Dates.Long(new DateTimeOffset(instant), zone));
    }

    // Stripe's own lists (https://docs.stripe.com/currencies), restated: a currency dropped from a
    // table, or typed wrong, charges a hundred times too much or too little.
    [Fact]
    public void Stripes_zero_and_three_decimal_currencies_are_the_ones_it_lists()
    {
        string[] zero = ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf"];
        string[] three = ["bhd", "jod", "kwd", "omr", "tnd"];
        Assert.All(zero, c => Assert.Equal(0, Currencies.Decimals(c)));
        Assert.All(three, c => Assert.Equal(3, Currencies.Decimals(c)));
        // ISK and UGX are listed as zero-decimal, but Stripe keeps them two-decimal.
        Assert.All(new[] { "usd", "eur", "isk", "ugx", "sek" }, c => Assert.Equal(2, Currencies.Decimals(c)));
    }

    [Theory]
    [InlineData("usd", 50L)] [InlineData("aed", 200L)] [InlineData("aud", 50L)] [InlineData("bgn", 100L)] [InlineData("brl", 50L)]
    [InlineData("cad", 50L)] [InlineData("chf", 50L)] [InlineData("czk", 1500L)] [InlineData("dkk", 250L)] [InlineData("eur", 50L)]
    [InlineData("gbp", 30L)] [InlineData("hkd", 400L)] [InlineData("huf", 17500L)] [InlineData("inr", 50L)] [InlineData("jpy", 50L)]
    [InlineData("mxn", 1000L)] [InlineData("myr", 200L)] [InlineData("nok", 300L)] [InlineData("nzd", 50L)] [InlineData("pln", 200L)]
    [InlineData("ron", 200L)] [InlineData("sek", 300L)] [InlineData("sgd", 50L)] [InlineData("thb", 1000L)]
    public void Stripes_minimum_charge_table_is_kept_whole(string currency, long minimum) =>
        Assert.Equal(minimum, Currencies.StripeMinimum(currency));

    [Theory]
    [InlineData("usd", "$1.00")] [InlineData("eur", "€1.00")] [InlineData("gbp", "£1.00")] [InlineData("jpy", "¥100")]
    [InlineData("cad", "CA$1.00")] [InlineData("aud", "A$1.00")] [InlineData("nzd", "NZ$1.00")] [InlineData("krw", "₩100")]
    [InlineData("inr", "₹1.00")] [InlineData("chf", "CHF 1.00")] [InlineData("pln", "PLN 1.00")]
    public void Each_currency_prints_with_the_symbol_Checkout_uses(string currency, string printed) =>
        Assert.Equal(printed, Money.Format(100, currency));

    [Theory]
    [InlineData(2500, "usd", "25")]
    [InlineData(2550, "usd", "25.50")]
    [InlineData(500, "jpy", "500")]
    [InlineData(1500, "kwd", "1.500")]
    [InlineData(5000, "kwd", "5")]
    public void A_form_field_shows_whole_amounts_without_decimals_and_others_with_the_currencys(long minor, string currency, string shown) =>
        Assert.Equal(shown, Money.FormatPlain(minor, currency));

    [Theory]
    [InlineData("$25.50", "usd", "25.50")]
    [InlineData(" 1,000 ", "usd", "1000")]
    [InlineData("12345678901234567.50", "usd", "12345678901234567.50")] // twenty characters
    [InlineData("123456789012345678.50", "usd", null)]                  // twenty-one
    [InlineData("", "usd", null)]
    [InlineData("$", "usd", null)]
    [InlineData("abc", "usd", null)]
    public void What_a_reader_typed_is_read_as_a_number_of_at_most_twenty_characters(string typed, string currency, string? major) =>
        Assert.Equal(major is null ? null : decimal.Parse(major, CultureInfo.InvariantCulture), Money.ParseMajor(typed, currency));

    [Fact]
    public void Nothing_typed_is_no_amount() => Assert.Null(Money.ParseMajor(null, "usd"));
}
