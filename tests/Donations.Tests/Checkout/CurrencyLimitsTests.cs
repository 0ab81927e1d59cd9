using System.Net;
using Donations.Api.Infrastructure.Configuration;
using Donations.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Donations.Tests.Checkout;

/// <summary>
/// Gift limits per currency: the default currency's from Donations:Minimum|MaximumAmount, the
/// others' from Donations:CurrencyLimits or derived from Stripe's minimum charge, never below it.
/// </summary>
public sealed class CurrencyLimitsTests(CheckoutApp fixture) : IClassFixture<CheckoutApp>
{
    [Theory]
    [InlineData(5)]
    [InlineData(49)]
    public async Task Yen_below_Stripes_minimum_charge_is_refused_with_a_message_saying_the_smallest_gift(long amount)
    {
        var before = fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Count();

        var response = await fixture.PostJsonAsync(new { amount, currency = "jpy", frequency = "one-time" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("The smallest gift we can accept is ¥50.",
            (await CheckoutApp.JsonAsync(response)).GetProperty("errors").GetProperty("amount")[0].GetString());
        Assert.Equal(before, fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Count());
    }

    [Fact]
    public async Task The_default_currencys_configured_limits_stay_its_own_and_other_currencies_get_theirs()
    {
        await using var app = await CheckoutApp.StartAsync(o =>
        {
            o.Settings["Donations:Currencies:3"] = "kwd";
            o.Settings["Donations:CurrencyLimits:eur:Minimum"] = "2.50";
            o.Settings["Donations:CurrencyLimits:kwd:Minimum"] = "1.5";
            o.Settings["Donations:CurrencyLimits:kwd:Maximum"] = "3000";
        });

        async Task<string?> AmountError(long amount, string currency)
        {
            var response = await CheckoutApp.PostJsonAsync(app, new { amount, currency, frequency = "one-time" });
            return response.StatusCode == HttpStatusCode.OK ? null
                : (await CheckoutApp.JsonAsync(response)).GetProperty("errors").GetProperty("amount")[0].GetString();
        }

        Assert.Contains("$5.00", await AmountError(499, "usd"));
        Assert.Null(await AmountError(250, "eur"));
        Assert.Contains("€2.50", await AmountError(249, "eur"));
        // Not configured: Stripe's minimum, and 20,000 times it.
        Assert.Null(await AmountError(1_000_000, "jpy"));
        Assert.Contains("¥1,000,000", await AmountError(1_000_001, "jpy"));
        Assert.Null(await AmountError(1500, "kwd"));
        Assert.Contains("multiple of 10", await AmountError(1505, "kwd"));
        Assert.Contains("KWD 3,000.000", await AmountError(3_000_010, "kwd"));
    }

    [Fact]
    public async Task Covering_the_fee_in_a_three_decimal_currency_charges_a_multiple_of_ten()
    {
        await using var app = await CheckoutApp.StartAsync(o =>
        {
            o.Settings["Donations:Currencies:3"] = "kwd";
            o.Settings["Donations:CurrencyLimits:kwd:Minimum"] = "1";
            o.Settings["Donations:CurrencyLimits:kwd:Maximum"] = "3000";
        });
        var campaign = CheckoutApp.NewCampaign();

        var response = await CheckoutApp.PostJsonAsync(app, new { amount = 10_000, currency = "kwd", frequency = "one-time", coverFee = true, campaign });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/checkout/sessions"), r => r["metadata[campaign]"] == campaign);
        // 10.000 KWD at 2.9% + 0.300: ceil(10300 / 0.971) = 10608, rounded up to 10610.
        Assert.Equal("10610", sent["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("610", sent["metadata[fee_amount]"]);
    }

    [Theory]
    [InlineData("Donations:CurrencyLimits:jpy:Minimum", "49", "Donations:CurrencyLimits:jpy:Minimum (49) is below Stripe's minimum charge for JPY (50)")]
    [InlineData("Donations:CurrencyLimits:jpy:Minimum", "50.5", "Donations:CurrencyLimits:jpy:Minimum (50.5) has more decimals than JPY allows")]
    [InlineData("Donations:CurrencyLimits:eur:Maximum", "1000000000", "Donations:CurrencyLimits:eur:Maximum (1000000000) is above Stripe's largest amount")]
    [InlineData("Donations:CurrencyLimits:usd:Minimum", "5", "Donations:CurrencyLimits:usd sets limits for the default currency")]
    [InlineData("Donations:CurrencyLimits:gbp:Minimum", "1", "Donations:CurrencyLimits:gbp names a currency that is not in Donations:Currencies")]
    [InlineData("Donations:MinimumAmount", "0.25", "Donations:MinimumAmount (0.25) is below Stripe's minimum charge for USD (0.50)")]
    public async Task A_limit_Stripe_would_refuse_stops_start_up_with_a_message_naming_the_key(string key, string value, string message)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await DonationsApp.StartAsync(o => o.Settings[key] = value);
            await app.Client.GetAsync("/health/live");
        });

        Assert.Contains(message, Flatten(error));
    }

    [Theory]
    // A three-decimal currency is not in Stripe's table: it must be configured, in steps of 0.010.
    [InlineData(null, null, "Donations:CurrencyLimits:kwd:Minimum is required")]
    [InlineData("1.005", "3000", "Donations:CurrencyLimits:kwd:Minimum (1.005) must be a multiple of 0.010")]
    [InlineData("1", "2999.995", "Donations:CurrencyLimits:kwd:Maximum (2999.995) must be a multiple of 0.010")]
    [InlineData("5", "1", "Donations:CurrencyLimits:kwd:Minimum must not exceed Donations:CurrencyLimits:kwd:Maximum")]
    public void Three_decimal_currencies_need_configured_limits_in_steps_of_ten(string? minimum, string? maximum, string problem)
    {
        var options = new DonationsOptions { Currencies = ["usd", "kwd"] };
        if (minimum is not null || maximum is not null)
            options.CurrencyLimits["kwd"] = new CurrencyLimitOptions
            {
                Minimum = minimum is null ? null : decimal.Parse(minimum, System.Globalization.CultureInfo.InvariantCulture),
                Maximum = maximum is null ? null : decimal.Parse(maximum, System.Globalization.CultureInfo.InvariantCulture),
            };

        Assert.Contains(GiftLimits.Problems(options), p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_defaults_pass()
    {
        Assert.Empty(GiftLimits.Problems(new DonationsOptions { Currencies = ["usd", "eur", "jpy", "gbp"] }));
        Assert.Equal((50L, 1_000_000L), GiftLimits.For(new DonationsOptions { Currencies = ["usd", "jpy"] }, "jpy"));
    }

    private static string Flatten(Exception e) =>
        e is OptionsValidationException ove ? string.Join("; ", ove.Failures) :
        e is AggregateException ae ? string.Join("; ", ae.InnerExceptions.Select(Flatten)) :
        e.Message + (e.InnerException is null ? "" : "; " + Flatten(e.InnerException));
}
