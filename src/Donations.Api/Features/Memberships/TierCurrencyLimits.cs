using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Checks the tiers' limits in other currencies (<c>Memberships:Tiers:n:Currencies:&lt;code&gt;</c>)
/// and the dollar rates their IRS tests fall back on (<c>Memberships:UsdRates:&lt;code&gt;</c>).
/// Configured amounts are never rounded: one finer than the currency allows is refused, as gift
/// limits are.
/// </summary>
public static class TierCurrencyLimits
{
    /// <summary>Everything wrong, each naming its key; empty when the configuration holds.</summary>
    public static List<string> Problems(MembershipsOptions memberships, DonationsOptions donations)
    {
        var problems = new List<string>();
        var accepted = donations.Currencies;
        var named = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < memberships.Tiers.Count; i++)
        {
            var tier = memberships.Tiers[i];
            foreach (var (code, limits) in tier.Currencies)
            {
                var key = $"Memberships:Tiers:{i}:Currencies:{code}";
                if (!accepted.Contains(code))
                {
                    problems.Add($"{key} names a currency that is not in Donations:Currencies (lower-case codes such as eur).");
                    continue;
                }
                if (accepted.Length > 0 && code == donations.DefaultCurrency)
                {
                    problems.Add($"{key} sets the tier {tier.Name} in the default currency; use Memberships:Tiers:{i}:MinimumMonthlyAmount and BenefitsFairMarketValue instead.");
                    continue;
                }
                named.Add(code);
                if (limits.MinimumMonthlyAmount is null)
                    problems.Add($"{key}:MinimumMonthlyAmount is required (tier {tier.Name}).");
                else
                    CheckAmount(problems, $"{key}:MinimumMonthlyAmount", limits.MinimumMonthlyAmount.Value, code);
                if (limits.BenefitsFairMarketValue is { } value)
                    CheckAmount(problems, $"{key}:BenefitsFairMarketValue", value, code);
                else if (tier.BenefitsFairMarketValue > 0)
                    problems.Add($"{key}:BenefitsFairMarketValue is required: the benefits of tier {tier.Name} have a value, which must be stated in {code.ToUpperInvariant()} too.");
            }
        }

        foreach (var (code, rate) in memberships.UsdRates)
        {
            if (!accepted.Contains(code))
                problems.Add($"Memberships:UsdRates:{code} names a currency that is not in Donations:Currencies (lower-case codes such as eur).");
            else if (rate <= 0)
                problems.Add($"Memberships:UsdRates:{code} must be positive: US dollars per one {code.ToUpperInvariant()}, e.g. 1.16.");
        }
        foreach (var code in named.Where(c => c != "usd" && !memberships.UsdRates.ContainsKey(c)))
            problems.Add($"Memberships:UsdRates:{code} is required: tiers are set in {code.ToUpperInvariant()}, and the IRS tests on their "
                         + "benefits need a dollar rate when no recent Stripe settlement gives one.");
        return problems;
    }

    private static void CheckAmount(List<string> problems, string key, decimal major, string currency)
    {
        if (major < 0) problems.Add($"{key} must not be negative.");
        else if (!Money.IsExact(major, currency))
            problems.Add($"{key} ({major}) has more decimals than {currency.ToUpperInvariant()} allows ({Currencies.Decimals(currency)}).");
    }
}

/// <summary>Refuses start-up while <see cref="TierCurrencyLimits.Problems"/> finds anything.</summary>
public sealed class TierCurrencyLimitsValidator(IOptions<DonationsOptions> donations) : IValidateOptions<MembershipsOptions>
{
    public ValidateOptionsResult Validate(string? name, MembershipsOptions options) =>
        TierCurrencyLimits.Problems(options, donations.Value) is { Count: > 0 } problems
            ? ValidateOptionsResult.Fail(problems)
            : ValidateOptionsResult.Success;
}
