namespace Donations.Api.Infrastructure;

/// <summary>
/// What Stripe says about each currency: how many decimals its amounts have, the smallest step a
/// charge may take, the smallest charge it accepts, and the symbol Checkout prints. Stripe decides
/// the decimals, not ISO 4217.
/// </summary>
public static class Currencies
{
    // https://docs.stripe.com/currencies#zero-decimal (ISK and UGX are listed there too, but Stripe
    // keeps them two-decimal for backward compatibility, so they are not here).
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    // https://docs.stripe.com/currencies#three-decimal: amounts in thousandths, and a charge's last
    // digit must be 0 for Stripe's payment partners.
    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bhd", "jod", "kwd", "omr", "tnd",
    };

    /// <summary>
    /// Stripe's minimum charge per currency in minor units, from its table "Minimum and maximum charge
    /// amounts" (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). The table
    /// covers settlement currencies; a charge in any other currency must be worth at least the
    /// settlement currency's minimum after conversion, which cannot be known here.
    /// </summary>
    private static readonly Dictionary<string, long> StripeMinimums = new(StringComparer.OrdinalIgnoreCase)
    {
        ["usd"] = 50, ["aed"] = 200, ["aud"] = 50, ["bgn"] = 100, ["brl"] = 50, ["cad"] = 50, ["chf"] = 50,
        ["czk"] = 1500, ["dkk"] = 250, ["eur"] = 50, ["gbp"] = 30, ["hkd"] = 400, ["huf"] = 17500, ["inr"] = 50,
        ["jpy"] = 50, ["mxn"] = 1000, ["myr"] = 200, ["nok"] = 300, ["nzd"] = 50, ["pln"] = 200, ["ron"] = 200,
        ["sek"] = 300, ["sgd"] = 50, ["thb"] = 1000,
    };

    /// <summary>Stripe's largest amount: eight digits of minor units (99,999,999).</summary>
    public const long StripeMaximum = 99_999_999;

    private static readonly Dictionary<string, string> Symbols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["usd"] = "$", ["eur"] = "€", ["gbp"] = "£", ["jpy"] = "¥", ["cad"] = "CA$", ["aud"] = "A$", ["nzd"] = "NZ$",
        ["krw"] = "₩", ["inr"] = "₹", ["chf"] = "CHF ",
    };

    public static bool IsZeroDecimal(string currency) => ZeroDecimal.Contains(currency);

    /// <summary>Digits after the decimal point in Stripe amounts of this currency: 0 for jpy, 2 for usd, 3 for kwd.</summary>
    public static int Decimals(string currency) =>
        ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;

    /// <summary>Minor units per major unit: 1, 100 or 1000.</summary>
    public static long Factor(string currency) => Decimals(currency) switch { 0 => 1, 3 => 1000, _ => 100 };

    /// <summary>The step a charge moves in, in minor units: 10 for three-decimal currencies, else 1.</summary>
    public static long ChargeStep(string currency) => ThreeDecimal.Contains(currency) ? 10 : 1;

    /// <summary>Stripe's minimum charge in minor units, or null when its table does not list the currency.</summary>
    public static long? StripeMinimum(string currency) => StripeMinimums.TryGetValue(currency, out var m) ? m : null;

    /// <summary>The prefix Checkout prints: "$", "¥", or the upper-case code and a space ("SEK ").</summary>
    public static string Symbol(string currency) =>
        Symbols.TryGetValue(currency, out var s) ? s : currency.ToUpperInvariant() + " ";
}
