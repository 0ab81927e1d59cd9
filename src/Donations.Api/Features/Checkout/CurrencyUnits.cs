using System.Globalization;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// Minor units per currency, as Stripe counts them. Configuration holds decimal major units
/// (<c>Donations:MinimumAmount = 5.00</c>) and means "that many units of whichever currency the
/// reader chose": 5.00 is 500 cents in usd or eur, and 5 yen in jpy, because zero-decimal
/// currencies have no minor unit and convert 1:1.
/// </summary>
public static class CurrencyUnits
{
    private static readonly Dictionary<string, string> Symbols = new()
    {
        ["usd"] = "$", ["eur"] = "€", ["gbp"] = "£", ["jpy"] = "¥", ["cad"] = "CA$", ["aud"] = "A$", ["nzd"] = "NZ$",
        ["krw"] = "₩", ["inr"] = "₹", ["chf"] = "CHF ",
    };

    /// <summary>Decimal places of the minor unit: 0 for jpy, 2 for usd, 3 for kwd.</summary>
    public static int Exponent(string currency) => Infrastructure.Money.Decimals(currency);

    public static long Factor(string currency) => Exponent(currency) switch { 0 => 1, 3 => 1000, _ => 100 };

    /// <summary>Major units to minor units; <paramref name="rounding"/> decides fractions below the minor unit.</summary>
    public static long ToMinor(decimal major, string currency, MidpointRounding rounding = MidpointRounding.AwayFromZero) =>
        (long)Math.Round(major * Factor(currency), 0, rounding);

    /// <summary>Reads what a reader typed ("25", "$25.50", "1,000") as a major-unit number; null if it is not one.</summary>
    public static decimal? ParseMajor(string? text, string currency)
    {
        var trimmed = text?.Trim() ?? "";
        var symbol = Symbol(currency).Trim();
        if (trimmed.StartsWith(symbol, StringComparison.OrdinalIgnoreCase)) trimmed = trimmed[symbol.Length..].Trim();
        return trimmed.Length is > 0 and <= 20
               && decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var major)
            ? major : null;
    }

    public static string Symbol(string currency) =>
        Symbols.TryGetValue(currency, out var s) ? s : currency.ToUpperInvariant() + " ";

    /// <summary>"$1,234.50"; with <paramref name="compact"/> whole amounts drop their decimals ("$25").</summary>
    public static string Format(long minor, string currency, bool compact = false)
    {
        var exponent = Exponent(currency);
        var major = minor / (decimal)Factor(currency);
        var decimals = compact && minor % Factor(currency) == 0 ? 0 : exponent;
        return Symbol(currency) + major.ToString("N" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>The number as a form field shows it: "25" or "25.50", no symbol, no grouping.</summary>
    public static string FormatPlain(long minor, string currency)
    {
        var major = minor / (decimal)Factor(currency);
        var decimals = minor % Factor(currency) == 0 ? 0 : Exponent(currency);
        return major.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
