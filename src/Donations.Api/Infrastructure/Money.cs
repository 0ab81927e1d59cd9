using System.Globalization;

namespace Donations.Api.Infrastructure;

/// <summary>
/// Conversions between Stripe's integer minor units and decimal major units. Stripe decides how
/// many decimals a currency has, not ISO 4217: its zero-decimal list (JPY, KRW, ...) takes whole
/// units, and its three-decimal currencies (BHD, JOD, KWD, OMR, TND) take thousandths.
/// </summary>
public static class Money
{
    // https://docs.stripe.com/currencies#zero-decimal (ISK and UGX are listed there too, but Stripe
    // keeps them two-decimal for backward compatibility, so they are not here).
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf",
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

    /// <summary>Digits after the decimal point in Stripe amounts of this currency.</summary>
    public static int Decimals(string currency) =>
        ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>"1234.50" for 123450 usd, "500" for 500 jpy: invariant culture, '.' separator, no grouping.</summary>
    public static string ToMajorString(long minor, string currency)
    {
        var decimals = Decimals(currency);
        return ToMajor(minor, currency).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture);
    }

    public static decimal ToMajor(long minor, string currency) => minor / Factor(currency);

    /// <summary>Major units to minor units; throws when the amount has more decimals than the currency allows.</summary>
    public static long ToMinor(decimal major, string currency)
    {
        var minor = major * Factor(currency);
        if (minor != decimal.Truncate(minor))
            throw new ArgumentException($"{major.ToString(CultureInfo.InvariantCulture)} has more decimals than {currency.ToUpperInvariant()} allows.", nameof(major));
        return (long)minor;
    }

    /// <summary>For people (receipts, statements): "$1,250.00", "¥500", "€10.00"; unknown currencies as "SEK 10.00".</summary>
    public static string Format(long minor, string currency)
    {
        var number = ToMajor(minor, currency).ToString("N" + Decimals(currency), CultureInfo.InvariantCulture);
        var sign = number.StartsWith('-') ? "-" : "";
        number = number.TrimStart('-');
        return Symbols.TryGetValue(currency, out var symbol)
            ? sign + symbol + number
            : sign + currency.ToUpperInvariant() + " " + number;
    }

    private static decimal Factor(string currency) => Decimals(currency) switch
    {
        0 => 1m,
        3 => 1000m,
        _ => 100m,
    };
}
