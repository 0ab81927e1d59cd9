using System.Globalization;
using Donations.Api.Features.Checkout;

namespace Donations.Api.Infrastructure;

/// <summary>
/// Money is stored as <c>long</c> minor units plus an ISO 4217 code. This is the display side
/// used by receipts, statements and exports; the currency table itself (digits, symbols) is
/// Checkout's <see cref="CurrencyUnits"/>, so the donate page and the receipt never disagree.
/// </summary>
public static class Money
{
    public static bool IsZeroDecimal(string currency) => CurrencyUnits.Exponent(Code(currency)) == 0;

    public static decimal ToMajor(long minor, string currency) => minor / (decimal)CurrencyUnits.Factor(Code(currency));

    /// <summary>Major units with '.' as separator and no grouping, e.g. "25.00", "500" (CSV, APIs).</summary>
    public static string ToMajorString(long minor, string currency) =>
        ToMajor(minor, currency).ToString("F" + CurrencyUnits.Exponent(Code(currency)), CultureInfo.InvariantCulture);

    /// <summary>For people, always with the currency's decimals: "$1,250.00", "¥500", "SEK 10.00".</summary>
    public static string Format(long minor, string currency) => CurrencyUnits.Format(minor, Code(currency));

    private static string Code(string currency) => currency.ToLowerInvariant();
}
