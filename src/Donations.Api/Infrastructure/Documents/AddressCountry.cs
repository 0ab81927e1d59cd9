using System.Globalization;
using System.Text.RegularExpressions;

namespace Donations.Api.Infrastructure.Documents;

/// <summary>
/// The country a kept one-line billing address ends with, for donors recorded before the country
/// was kept apart. Addresses were kept as "line 1, city, STATE POSTAL, COUNTRY" with Stripe's ISO
/// code last, but a US state code reads as a country too (IL is Illinois and Israel, DE Delaware
/// and Germany), so a country is taken only where it cannot be a state.
/// </summary>
public static partial class AddressCountry
{
    /// <summary>The US territories Stripe gives their own country codes.</summary>
    public static readonly string[] UsTerritories = ["PR", "GU", "VI", "AS", "MP"];

    private static readonly HashSet<string> UsStates =
    [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
        "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
        "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    ];

    /// <summary>English country names (and a few everyday ones) to ISO codes; Georgia is left out, being a state too.</summary>
    private static readonly Lazy<Dictionary<string, string>> Names = new(() =>
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["USA"] = "US", ["United States of America"] = "US", ["UK"] = "GB",
        };
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            RegionInfo region;
            try { region = new RegionInfo(culture.Name); }
            catch (ArgumentException) { continue; }
            if (region.TwoLetterISORegionName.Length == 2) names.TryAdd(region.EnglishName, region.TwoLetterISORegionName);
        }
        names.Remove("Georgia");
        return names;
    });

    /// <summary>
    /// The ISO code ending <paramref name="address"/>, or null when it cannot be told. A US
    /// "STATE 12345" closing the address, or standing just before its last part, makes it American
    /// (a territory's own code when the state is one). A bare two-letter code that is also a US state
    /// ("…, Springfield, IL") counts only after a postal code ("…, Berlin, 10117, DE"): without one
    /// it is unknown, and documents then print the organisation's own (US) notice, which claims
    /// only what US law allows, rather than take a US donor's deductibility sentence away on a guess.
    /// </summary>
    public static string? Ending(string? address)
    {
        var parts = (address ?? "").Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();
        if (parts.Length == 0) return null;
        var last = parts[^1];
        var before = parts.Length > 1 ? parts[^2] : null;
        if (UsState(last) is { } closing) return closing;
        var country = IsCode(last) ? last : Names.Value.GetValueOrDefault(last);
        if (country is null) return null;
        if (before is not null && UsState(before) is { } state) return state;
        if (IsCode(last) && UsStates.Contains(last) && !(before is not null && PostalCode().IsMatch(before))) return null;
        return country;
    }

    /// <summary>"US", or the territory's code, for a part ending in a US state and ZIP code ("Springfield IL 62701"); else null.</summary>
    private static string? UsState(string part) =>
        StateAndZip().Match(part) is { Success: true } m && (UsStates.Contains(m.Groups["state"].Value) || UsTerritories.Contains(m.Groups["state"].Value))
            ? UsTerritories.Contains(m.Groups["state"].Value) ? m.Groups["state"].Value : "US"
            : null;

    private static bool IsCode(string part) => part.Length == 2 && part.All(char.IsAsciiLetterUpper);

    [GeneratedRegex(@"(?:^|\s)(?<state>[A-Z]{2})\s+\d{5}(?:-\d{4})?$")]
    private static partial Regex StateAndZip();

    /// <summary>A postal code part as addresses were kept: capitals and digits, with a digit ("10117", "SW1A 1AA", "BE 10117").</summary>
    [GeneratedRegex(@"^(?=.*\d)[A-Z0-9][A-Z0-9 -]{1,11}$")]
    private static partial Regex PostalCode();
}
