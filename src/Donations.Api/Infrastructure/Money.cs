using System.Globalization;

namespace Donations.Api.Infrastructure;

/// <summary>
/// Amounts between Stripe's integer minor units, the decimal major units of configuration and
/// forms, and text for people. The currency facts are in <see cref="Currencies"/>.
/// </summary>
public static class Money
{
    /// <summary>
    /// Major units to minor units, rounded to the nearest minor unit, halves away from zero: the one
    /// rounding rule. Only derived amounts are ever rounded (a fixed fee of 0.30 is 0 yen);
    /// amounts people give or configure are checked with <see cref="IsExact"/> first and refused
    /// when they do not fit, so no gift or limit is silently changed.
    /// </summary>
    public static long ToMinor(decimal major, string currency) =>
        (long)Math.Round(major * Currencies.Factor(currency), 0, MidpointRounding.AwayFromZero);

    /// <summary>Whether <paramref name="major"/> has no more decimals than the currency allows.</summary>
    public static bool IsExact(decimal major, string currency)
    {
        var minor = major * Currencies.Factor(currency);
        return minor == decimal.Truncate(minor);
    }

    public static decimal ToMajor(long minor, string currency) => minor / (decimal)Currencies.Factor(currency);

    /// <summary>"1234.50" for 123450 usd, "500" for 500 jpy: invariant culture, '.' separator, no grouping.</summary>
    public static string ToMajorString(long minor, string currency)
    {
        var decimals = Currencies.Decimals(currency);
        return ToMajor(minor, currency).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// For people, with the currency's decimals: "$1,250.00", "¥500", "SEK 10.00"; with
    /// <paramref name="compact"/> whole amounts drop their decimals ("$25"). The symbols are
    /// Checkout's, so the donate page and the receipt print an amount the same way.
    /// </summary>
    public static string Format(long minor, string currency, bool compact = false)
    {
        var decimals = compact && minor % Currencies.Factor(currency) == 0 ? 0 : Currencies.Decimals(currency);
        return Currencies.Symbol(currency) + ToMajor(minor, currency).ToString("N" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>The number as a form field shows it: "25" or "25.50", no symbol, no grouping.</summary>
    public static string FormatPlain(long minor, string currency)
    {
        var decimals = minor % Currencies.Factor(currency) == 0 ? 0 : Currencies.Decimals(currency);
        return ToMajor(minor, currency).ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>Reads what a reader typed ("25", "$25.50", "1,000") as a major-unit number; null if it is not one.</summary>
    public static decimal? ParseMajor(string? text, string currency)
    {
        var trimmed = text?.Trim() ?? "";
        var symbol = Currencies.Symbol(currency).Trim();
        if (trimmed.StartsWith(symbol, StringComparison.OrdinalIgnoreCase)) trimmed = trimmed[symbol.Length..].Trim();
        return trimmed.Length is > 0 and <= 20
               && decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var major)
            ? major : null;
    }
}
