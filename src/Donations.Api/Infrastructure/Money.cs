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

    /// <summary>
    /// For people, always with the currency's decimals: "$1,250.00", "¥500", "SEK 10.00". The
    /// symbols are Checkout's, so the donate page and the receipt print an amount the same way.
    /// </summary>
    public static string Format(long minor, string currency)
    {
        var code = currency.ToLowerInvariant();
        var number = ToMajor(minor, code).ToString("N" + Decimals(code), CultureInfo.InvariantCulture);
        return Features.Checkout.CurrencyUnits.Symbol(code) + number;
    }

    private static decimal Factor(string currency) => Decimals(currency) switch
    {
        0 => 1m,
        3 => 1000m,
        _ => 100m,
    };
}
