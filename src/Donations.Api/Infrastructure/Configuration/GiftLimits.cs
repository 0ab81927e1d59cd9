using Microsoft.Extensions.Options;

namespace Donations.Api.Infrastructure.Configuration;

/// <summary>
/// The smallest and largest gift per currency, in minor units.
/// <list type="bullet">
/// <item>The default currency (the first of <c>Donations:Currencies</c>) takes
/// <c>Donations:MinimumAmount</c> and <c>Donations:MaximumAmount</c>.</item>
/// <item>Another currency takes <c>Donations:CurrencyLimits:&lt;code&gt;:Minimum|Maximum</c>. Left
/// out, the minimum is Stripe's minimum charge for that currency and the maximum is
/// <see cref="DefaultMaximumFactor"/> times it (¥50 to ¥1,000,000; €0.50 to €10,000). A currency
/// Stripe's table does not list (every three-decimal one among them) must be configured.</item>
/// </list>
/// Configured amounts are never rounded: start-up refuses one below Stripe's minimum, above
/// Stripe's eight-digit maximum, finer than the currency's minor unit, or (three-decimal
/// currencies) not a multiple of 10 minor units.
/// </summary>
public static class GiftLimits
{
    /// <summary>USD 0.50 × 20,000 = USD 10,000, the shipped default maximum of the default currency.</summary>
    public const long DefaultMaximumFactor = 20_000;

    public static (long Minimum, long Maximum) For(DonationsOptions o, string currency)
    {
        var (min, max, _) = Resolve(o, currency);
        return (min ?? 0, max ?? 0);
    }

    /// <summary>Everything wrong with the configured limits, each naming its key; empty when they hold.</summary>
    public static List<string> Problems(DonationsOptions o)
    {
        var problems = new List<string>();
        if (o.Currencies.Length == 0) return problems;
        foreach (var code in o.CurrencyLimits.Keys)
        {
            if (code.Equals(o.DefaultCurrency, StringComparison.OrdinalIgnoreCase))
                problems.Add($"Donations:CurrencyLimits:{code} sets limits for the default currency; use Donations:MinimumAmount and Donations:MaximumAmount instead.");
            else if (!o.Currencies.Contains(code.ToLowerInvariant()))
                problems.Add($"Donations:CurrencyLimits:{code} names a currency that is not in Donations:Currencies.");
        }
        foreach (var currency in o.Currencies.Distinct())
            problems.AddRange(Resolve(o, currency).Problems);
        return problems;
    }

    private static (long? Minimum, long? Maximum, List<string> Problems) Resolve(DonationsOptions o, string currency)
    {
        var problems = new List<string>();
        var isDefault = currency == o.DefaultCurrency;
        var configured = o.CurrencyLimits.GetValueOrDefault(currency);
        var (minKey, maxKey) = isDefault
            ? ("Donations:MinimumAmount", "Donations:MaximumAmount")
            : ($"Donations:CurrencyLimits:{currency}:Minimum", $"Donations:CurrencyLimits:{currency}:Maximum");
        var stripeMinimum = Currencies.StripeMinimum(currency);
        var code = currency.ToUpperInvariant();

        long? Read(decimal? major, string key)
        {
            if (major is not { } m) return null;
            if (m <= 0) { problems.Add($"{key} must be positive."); return null; }
            if (!Money.IsExact(m, currency)) { problems.Add($"{key} ({m}) has more decimals than {code} allows ({Currencies.Decimals(currency)})."); return null; }
            var minor = Money.ToMinor(m, currency);
            if (minor % Currencies.ChargeStep(currency) != 0)
                problems.Add($"{key} ({m}) must be a multiple of {Money.ToMajorString(Currencies.ChargeStep(currency), currency)}: Stripe charges {code} in steps of 10 minor units.");
            if (minor > Currencies.StripeMaximum)
                problems.Add($"{key} ({m}) is above Stripe's largest amount ({Money.ToMajorString(Currencies.StripeMaximum, currency)} {code}).");
            return minor;
        }

        var min = isDefault ? Read(o.MinimumAmount, minKey) : Read(configured?.Minimum, minKey);
        var max = isDefault ? Read(o.MaximumAmount, maxKey) : Read(configured?.Maximum, maxKey);
        if (min is null && !isDefault && configured?.Minimum is null)
        {
            if (stripeMinimum is { } sm) min = sm;
            else problems.Add($"{minKey} is required: Stripe's minimum-charge table does not list {code}, so no safe default exists.");
        }
        if (max is null && !isDefault && configured?.Maximum is null)
        {
            if (stripeMinimum is { } sm) max = Math.Min(sm * DefaultMaximumFactor, Currencies.StripeMaximum);
            else problems.Add($"{maxKey} is required: Stripe's minimum-charge table does not list {code}, so no default can be derived.");
        }
        if (min is { } low && stripeMinimum is { } floor && low < floor)
            problems.Add($"{minKey} ({Money.ToMajorString(low, currency)}) is below Stripe's minimum charge for {code} ({Money.ToMajorString(floor, currency)}).");
        if (min is { } a && max is { } b && a > b)
            problems.Add($"{minKey} must not exceed {maxKey}.");
        return (min, max, problems);
    }
}

/// <summary>Refuses start-up while <see cref="GiftLimits.Problems"/> finds anything.</summary>
public sealed class GiftLimitsValidator : IValidateOptions<DonationsOptions>
{
    public ValidateOptionsResult Validate(string? name, DonationsOptions options) =>
        GiftLimits.Problems(options) is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
