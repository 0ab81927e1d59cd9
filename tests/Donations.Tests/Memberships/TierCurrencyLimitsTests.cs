using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Configuration;
using Donations.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Donations.Tests.Memberships;

/// <summary>Tiers set in other currencies, and the dollar rates their IRS tests fall back on, are checked at start-up by key.</summary>
public sealed class TierCurrencyLimitsTests
{
    private static readonly DonationsOptions Donations = new() { Currencies = ["usd", "eur", "jpy"] };

    private static MembershipsOptions Tiers(decimal value, Dictionary<string, TierCurrencyOptions> currencies, Dictionary<string, decimal>? rates = null) => new()
    {
        Tiers =
        [
            new MembershipTier { Name = "Reader", MinimumMonthlyAmount = 5 },
            new MembershipTier { Name = "Supporter", MinimumMonthlyAmount = 15, Benefits = "Quarterly print edition", BenefitsFairMarketValue = value, Currencies = currencies },
        ],
        UsdRates = rates ?? new() { ["eur"] = 1.16m, ["jpy"] = 0.0067m },
    };

    [Theory]
    [InlineData("jpy", "2000.5", "300", "Memberships:Tiers:1:Currencies:jpy:MinimumMonthlyAmount (2000.5) has more decimals than JPY allows (0).")]
    [InlineData("eur", "15", "1.999", "Memberships:Tiers:1:Currencies:eur:BenefitsFairMarketValue (1.999) has more decimals than EUR allows (2).")]
    [InlineData("eur", "-1", "2", "Memberships:Tiers:1:Currencies:eur:MinimumMonthlyAmount must not be negative.")]
    [InlineData("eur", null, "2", "Memberships:Tiers:1:Currencies:eur:MinimumMonthlyAmount is required (tier Supporter).")]
    [InlineData("eur", "15", null, "Memberships:Tiers:1:Currencies:eur:BenefitsFairMarketValue is required: the benefits of tier Supporter have a value")]
    [InlineData("gbp", "15", "2", "Memberships:Tiers:1:Currencies:gbp names a currency that is not in Donations:Currencies")]
    [InlineData("usd", "15", "2", "Memberships:Tiers:1:Currencies:usd sets the tier Supporter in the default currency")]
    public void A_tier_limit_in_another_currency_that_cannot_hold_is_refused_naming_its_key(string currency, string? minimum, string? value, string problem)
    {
        var limits = new TierCurrencyOptions { MinimumMonthlyAmount = Parse(minimum), BenefitsFairMarketValue = Parse(value) };

        var problems = TierCurrencyLimits.Problems(Tiers(2, new() { [currency] = limits }), Donations);

        Assert.Contains(problems, p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    private static decimal? Parse(string? major) => major is null ? null : decimal.Parse(major, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_currency_a_tier_is_set_in_needs_a_positive_dollar_rate_in_an_accepted_currency()
    {
        var eur = new Dictionary<string, TierCurrencyOptions> { ["eur"] = new() { MinimumMonthlyAmount = 15, BenefitsFairMarketValue = 2 } };

        Assert.Contains(TierCurrencyLimits.Problems(Tiers(2, eur, rates: []), Donations),
            p => p.StartsWith("Memberships:UsdRates:eur is required: tiers are set in EUR", StringComparison.Ordinal));
        Assert.Contains("Memberships:UsdRates:eur must be positive: US dollars per one EUR, e.g. 1.16.",
            TierCurrencyLimits.Problems(Tiers(2, eur, rates: new() { ["eur"] = 0 }), Donations));
        Assert.Contains(TierCurrencyLimits.Problems(Tiers(2, eur, rates: new() { ["eur"] = 1.16m, ["chf"] = 1.1m }), Donations),
            p => p.StartsWith("Memberships:UsdRates:chf names a currency that is not in Donations:Currencies", StringComparison.Ordinal));
    }

    [Fact]
    public void Tiers_set_in_other_currencies_with_their_rates_pass_and_a_tier_without_a_value_needs_none_stated()
    {
        var currencies = new Dictionary<string, TierCurrencyOptions>
        {
            ["eur"] = new() { MinimumMonthlyAmount = 15, BenefitsFairMarketValue = 2 },
            ["jpy"] = new() { MinimumMonthlyAmount = 2000, BenefitsFairMarketValue = 300 },
        };
        var valueless = new Dictionary<string, TierCurrencyOptions> { ["eur"] = new() { MinimumMonthlyAmount = 15 } };

        Assert.Empty(TierCurrencyLimits.Problems(Tiers(2, currencies), Donations));
        Assert.Empty(TierCurrencyLimits.Problems(Tiers(0, valueless), Donations));
        Assert.Empty(TierCurrencyLimits.Problems(new MembershipsOptions(), Donations));
    }

    [Fact]
    public async Task The_service_does_not_start_with_a_tier_set_in_a_currency_without_a_dollar_rate_and_says_which_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await DonationsApp.StartAsync(o =>
            {
                o.Settings["Memberships:Tiers:1:Currencies:eur:MinimumMonthlyAmount"] = "15";
                o.Settings["Memberships:Tiers:1:Currencies:eur:BenefitsFairMarketValue"] = "2";
            });
            await app.Client.GetAsync("/health/live");
        });

        Assert.Contains("Memberships:UsdRates:eur is required", Flatten(error));
    }

    private static string Flatten(Exception e) =>
        e is OptionsValidationException ove ? string.Join("; ", ove.Failures) :
        e is AggregateException ae ? string.Join("; ", ae.InnerExceptions.Select(Flatten)) :
        e.Message + (e.InnerException is null ? "" : "; " + Flatten(e.InnerException));
}
