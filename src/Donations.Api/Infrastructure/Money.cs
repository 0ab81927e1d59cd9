using System.Globalization;

namespace Donations.Api.Infrastructure;

/// <summary>
/// Money is stored as <c>long</c> minor units plus an ISO 4217 code. These helpers turn it into
/// the text people read; the digits follow Stripe's list of zero- and three-decimal currencies.
/// </summary>
public static class Money
{
    // https://docs.stripe.com/currencies#zero-decimal
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bhd", "jod", "kwd", "omr", "tnd",
    };

    private static readonly Dictionary<string, string> Symbols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["usd"] = "$", ["eur"] = "€", ["gbp"] = "£", ["jpy"] = "¥", ["cny"] = "¥", ["krw"] = "₩",
        ["inr"] = "₹", ["ils"] = "₪", ["cad"] = "CA$", ["aud"] = "A$", ["nzd"] = "NZ$", ["chf"] = "CHF ",
    };

    public static bool IsZeroDecimal(string currency) => ZeroDecimal.Contains(currency);

    public static int Decimals(string currency) =>
        IsZeroDecimal(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    public static decimal ToMajor(long minor, string currency)
    {
        var decimals = Decimals(currency);
        return decimal.Round(minor / (decimal)Pow10(decimals), decimals);
    }

    /// <summary>Major units with '.' as separator and no grouping, e.g. "25.00", "500" (CSV, APIs).</summary>
    public static string ToMajorString(long minor, string currency) =>
        ToMajor(minor, currency).ToString("F" + Decimals(currency), CultureInfo.InvariantCulture);

    /// <summary>Major units as configured (decimal) to minor units, rounding half away from zero.</summary>
    public static long ToMinor(decimal major, string currency) =>
        (long)decimal.Round(major * Pow10(Decimals(currency)), 0, MidpointRounding.AwayFromZero);

    /// <summary>For people: "$1,250.00", "¥500", "€10.00"; unknown currencies as "SEK 10.00".</summary>
    public static string Format(long minor, string currency)
    {
        var number = ToMajor(minor, currency).ToString("N" + Decimals(currency), CultureInfo.InvariantCulture);
        var sign = number.StartsWith('-') ? "-" : "";
        number = number.TrimStart('-');
        return Symbols.TryGetValue(currency, out var symbol)
            ? sign + symbol + number
            : sign + currency.ToUpperInvariant() + " " + number;
    }

    private static long Pow10(int n) => n switch { 0 => 1, 2 => 100, 3 => 1000, _ => (long)Math.Pow(10, n) };
}
