using System.Net.Mail;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data.Entities;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Checkout;

/// <summary>A donation a reader asked for, validated: amounts in minor units of <see cref="Currency"/>.</summary>
public sealed record DonationRequest(
    long Gift, long Fee, string Currency, DonationFrequency Frequency, bool CoverFee,
    string? Email, string? Campaign, string? Source)
{
    /// <summary>What Stripe charges: the gift plus the fee the reader chose to cover.</summary>
    public long Charged => Gift + Fee;
    public UtmTags Utm { get; init; } = UtmTags.None;
    public string FrequencyName => Frequencies.Name(Frequency);
}

/// <summary>What arrived from the form or the JSON API, before validation.</summary>
/// <param name="Amount">Major units from the form, minor units from the JSON API (see <paramref name="InMajorUnits"/>).</param>
/// <param name="AmountError">Set when the amount could not even be read as a number.</param>
public sealed record DonationInput(
    decimal? Amount, bool InMajorUnits, string? AmountError, string? Currency, string? Frequency,
    bool CoverFee, string? Email, string? Campaign, string? Source)
{
    public UtmTags Utm { get; init; } = UtmTags.None;
}

/// <summary>
/// The donate link's <c>utm_medium</c>, <c>utm_content</c> and <c>utm_term</c>, kept under those
/// names in Checkout's metadata (<c>utm_campaign</c> and <c>utm_source</c> stand in for campaign and
/// source). Like those, they come from links anyone can write: <see cref="DonationRules.Attribution"/>
/// keeps each short and printable, well within Stripe's 500 characters a metadata value.
/// </summary>
public sealed record UtmTags(string? Medium, string? Content, string? Term)
{
    public const string MediumKey = "utm_medium", ContentKey = "utm_content", TermKey = "utm_term";
    public static readonly UtmTags None = new(null, null, null);

    public static UtmTags From(string? medium, string? content, string? term) =>
        new(DonationRules.Attribution(medium), DonationRules.Attribution(content), DonationRules.Attribution(term));

    /// <summary>The tags that are set, by their metadata (and query and form) names.</summary>
    public IEnumerable<(string Key, string Value)> Named()
    {
        if (Medium is not null) yield return (MediumKey, Medium);
        if (Content is not null) yield return (ContentKey, Content);
        if (Term is not null) yield return (TermKey, Term);
    }
}

public static class Frequencies
{
    public const string OneTime = "one-time", Monthly = "monthly", Annual = "annual";
    public static string Name(DonationFrequency f) => f switch
    {
        DonationFrequency.Monthly => Monthly,
        DonationFrequency.Annual => Annual,
        _ => OneTime,
    };

    public static DonationFrequency? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or OneTime => DonationFrequency.OneTime,
        Monthly => DonationFrequency.Monthly,
        Annual => DonationFrequency.Annual,
        _ => null,
    };
}

/// <summary>The rules a gift must meet, from <c>Donations:*</c> configuration. Error keys are the field names.</summary>
public sealed class DonationRules(IOptions<DonationsOptions> options)
{
    private const int MaxAttributionLength = 100;
    public DonationsOptions Options => options.Value;
    public ProcessingFee Fee { get; } = ProcessingFee.From(options.Value);

    // Per currency: the default's from Donations:Minimum|MaximumAmount, the others' from
    // Donations:CurrencyLimits (checked against Stripe's minimums at start-up).
    public long MinimumMinor(string currency) => GiftLimits.For(Options, currency).Minimum;
    public long MaximumMinor(string currency) => GiftLimits.For(Options, currency).Maximum;

    /// <summary>The configured currency matching <paramref name="value"/> (any case), the default when empty, else null.</summary>
    public string? Currency(string? value) =>
        string.IsNullOrWhiteSpace(value) ? Options.DefaultCurrency
        : Options.Currencies.FirstOrDefault(c => c == value.Trim().ToLowerInvariant());

    public DonationRequest? Validate(DonationInput input, out Dictionary<string, string[]> errors)
    {
        var problems = new Dictionary<string, string[]>();
        void Fail(string field, string message) => problems[field] = [message];

        var currency = Currency(input.Currency);
        if (currency is null)
            Fail("currency", $"We accept gifts in {string.Join(", ", Options.Currencies.Select(c => c.ToUpperInvariant()))}; \"{Clip(input.Currency)}\" is not one of them.");

        var frequency = Frequencies.Parse(input.Frequency);
        if (frequency is null || !Options.OfferedFrequencies.Contains(Frequencies.Name(frequency.Value)))
            Fail("frequency", $"Frequency must be {string.Join(" or ", Options.OfferedFrequencies.Select(f => $"\"{f}\""))}.");

        long gift = 0;
        if (input.AmountError is not null) Fail("amount", input.AmountError);
        else if (input.Amount is null) Fail("amount", "Please choose or enter an amount.");
        else if (currency is not null && AmountError(input, currency, out gift) is { } amountError) Fail("amount", amountError);

        // One form of the address for everything after this: the idempotency key, the
        // customer_email Stripe gets and the rate-limit pseudonym. "Reader@Example.com" posted
        // again as "reader@example.com" is the same request, so it must send the same parameters.
        var email = string.IsNullOrWhiteSpace(input.Email) ? null : Donor.NormalizeEmail(input.Email);
        if (email is not null && !IsEmail(email))
            Fail("email", "Please enter a valid email address (like name@example.org), or leave it blank.");

        errors = problems;
        if (problems.Count > 0) return null;
        var fee = input.CoverFee ? Fee.For(gift, currency!) : 0;
        return new DonationRequest(gift, fee, currency!, frequency!.Value, input.CoverFee, email,
            Attribution(input.Campaign), Attribution(input.Source))
            { Utm = UtmTags.From(input.Utm.Medium, input.Utm.Content, input.Utm.Term) };
    }

    private string? AmountError(DonationInput input, string currency, out long gift)
    {
        gift = 0;
        var minor = input.InMajorUnits ? input.Amount!.Value * Currencies.Factor(currency) : input.Amount!.Value;
        // Three-decimal currencies are charged in steps of 10 minor units, so a form takes at most two decimals of them.
        var step = Currencies.ChargeStep(currency);
        if (minor != decimal.Truncate(minor) || minor % step != 0)
            return input.InMajorUnits
                ? Currencies.Decimals(currency) == 0
                    ? $"Amounts in {currency.ToUpperInvariant()} are whole numbers."
                    : $"Amounts in {currency.ToUpperInvariant()} have at most {Currencies.Decimals(currency) - (step == 10 ? 1 : 0)} decimal places."
                : step == 10 && minor == decimal.Truncate(minor)
                    ? $"amount in {currency.ToUpperInvariant()} must be a multiple of 10 thousandths (Stripe charges it in steps of {Money.Format(step, currency)}), for example {MinimumMinor(currency)}."
                    : $"amount must be a whole number of the currency's minor unit ({MinorUnitName(currency)}), for example {MinimumMinor(currency)}.";
        var (min, max) = (MinimumMinor(currency), MaximumMinor(currency));
        if (minor < min) return $"The smallest gift we can accept is {Money.Format(min, currency)}.";
        if (minor > max) return $"The largest gift we can accept online is {Money.Format(max, currency)}. For a larger gift, please contact us.";
        gift = (long)minor;
        return null;
    }

    private static string MinorUnitName(string currency) => Currencies.Decimals(currency) switch
    {
        0 => $"whole {currency.ToUpperInvariant()}, which has no minor unit",
        3 => $"thousandths of {currency.ToUpperInvariant()}",
        _ => $"hundredths of {currency.ToUpperInvariant()}, e.g. cents",
    };

    public static bool IsEmail(string email) =>
        email.Length <= 254
        && MailAddress.TryCreate(email, out var parsed) && parsed.Address == email && parsed.DisplayName.Length == 0
        && parsed.Host.Contains('.') && !parsed.Host.StartsWith('.') && !parsed.Host.EndsWith('.');

    /// <summary>Campaign and source come from links anyone can write: keep them short and printable.</summary>
    public static string? Attribution(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var clean = new string(value.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return clean.Length == 0 ? null : clean.Length > MaxAttributionLength ? clean[..MaxAttributionLength] : clean;
    }

    private static string Clip(string? value) => value is null ? "" : value.Length > 10 ? value[..10] + "…" : value;
}
