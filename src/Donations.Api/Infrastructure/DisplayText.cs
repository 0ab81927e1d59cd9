using System.Globalization;

namespace Donations.Api.Infrastructure;

/// <summary>How amounts and dates read in pages and emails meant for people (not in CSV or APIs).</summary>
public static class DisplayText
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    // Stripe's zero-decimal currencies take whole units (https://docs.stripe.com/currencies#zero-decimal).
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "bhd", "jod", "kwd", "omr", "tnd" };

    /// <summary>"1,234.50 USD", "500 JPY".</summary>
    public static string Amount(long minor, string currency)
    {
        var decimals = ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;
        var major = minor / (decimal)Math.Pow(10, decimals);
        return $"{major.ToString("N" + decimals, English)} {currency.ToUpperInvariant()}";
    }

    /// <summary>"March 5, 2026" on the organisation's calendar, which is the date a receipt states.</summary>
    public static string Date(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).ToString("MMMM d, yyyy", English);
}
