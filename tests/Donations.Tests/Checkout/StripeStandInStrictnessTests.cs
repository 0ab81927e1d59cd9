using Donations.Tests.Infrastructure;
using Stripe;
using Stripe.Checkout;

namespace Donations.Tests.Checkout;

/// <summary>
/// The stand-in refuses what Stripe refuses, answered through the real Stripe.net client so the
/// error shapes are proven to parse as Stripe's.
/// </summary>
public sealed class StripeStandInStrictnessTests : IAsyncLifetime
{
    private StripeStandIn stripe = null!;
    private SessionService sessions = null!;

    public async Task InitializeAsync()
    {
        stripe = await StripeStandIn.StartAsync();
        sessions = new SessionService(new StripeClient("sk_test_standin", apiBase: stripe.BaseUrl));
    }

    public async Task DisposeAsync() => await stripe.DisposeAsync();

    private static SessionCreateOptions Gift(long amount, string currency, string mode = "payment") => new()
    {
        Mode = mode,
        SubmitType = "donate",
        SuccessUrl = "https://example.org/ok",
        LineItems =
        [
            new SessionLineItemOptions
            {
                Quantity = 1,
                PriceData = new SessionLineItemPriceDataOptions
                {
                    Currency = currency, UnitAmount = amount,
                    ProductData = new SessionLineItemPriceDataProductDataOptions { Name = "Donation" },
                    Recurring = mode == "subscription" ? new SessionLineItemPriceDataRecurringOptions { Interval = "month" } : null,
                },
            },
        ],
    };

    [Theory]
    [InlineData(5, "jpy", "¥50 jpy")]
    [InlineData(49, "jpy", "¥50 jpy")]
    [InlineData(49, "usd", "$0.50 usd")]
    [InlineData(29, "gbp", "£0.30 gbp")]
    public async Task A_total_under_the_currencys_minimum_charge_is_refused_as_amount_too_small(long amount, string currency, string minimum)
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(Gift(amount, currency)));

        Assert.Equal(400, (int)error.HttpStatusCode);
        Assert.Equal("invalid_request_error", error.StripeError.Type);
        Assert.Equal("amount_too_small", error.StripeError.Code);
        Assert.EndsWith(minimum, error.StripeError.Message);
    }

    [Theory]
    [InlineData(1499, "czk")]
    [InlineData(17499, "huf")]
    [InlineData(999, "mxn")]
    [InlineData(399, "hkd")]
    public async Task Every_currency_of_Stripes_minimum_table_is_held_to_its_minimum(long amount, string currency)
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(Gift(amount, currency)));

        Assert.Equal("amount_too_small", error.StripeError.Code);
        await sessions.CreateAsync(Gift(amount + 1, currency));
    }

    public static TheoryData<string, Action<SessionCreateOptions>> MissingRequired => new()
    {
        { "success_url", o => o.SuccessUrl = null },
        { "line_items[0][quantity]", o => o.LineItems![0].Quantity = null },
        { "line_items[0][price_data][currency]", o => o.LineItems![0].PriceData!.Currency = null },
        { "line_items[0][price_data][product_data][name]", o => o.LineItems![0].PriceData!.ProductData!.Name = null },
    };

    [Theory]
    [MemberData(nameof(MissingRequired))]
    public async Task A_session_missing_what_Stripe_requires_is_refused_as_parameter_missing(string param, Action<SessionCreateOptions> remove)
    {
        var gift = Gift(2500, "usd");
        remove(gift);

        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(gift));

        Assert.Equal(("parameter_missing", param), (error.StripeError.Code, error.StripeError.Param));
    }

    [Fact]
    public async Task The_minimum_charge_itself_is_accepted()
    {
        var session = await sessions.CreateAsync(Gift(50, "jpy"));

        Assert.Equal(50, session.AmountTotal);
    }

    [Fact]
    public async Task A_three_decimal_amount_not_in_steps_of_ten_is_refused()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(Gift(1505, "kwd")));

        Assert.Equal("line_items[0][price_data][unit_amount]", error.StripeError.Param);
        Assert.NotNull(await sessions.CreateAsync(Gift(1510, "kwd")));
    }

    [Fact]
    public async Task An_idempotency_key_reused_with_other_parameters_is_an_idempotency_error()
    {
        var first = await sessions.CreateAsync(Gift(2500, "usd"), new RequestOptions { IdempotencyKey = "same-key" });
        var replay = await sessions.CreateAsync(Gift(2500, "usd"), new RequestOptions { IdempotencyKey = "same-key" });
        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(Gift(2600, "usd"), new RequestOptions { IdempotencyKey = "same-key" }));

        Assert.Equal(first.Id, replay.Id);
        Assert.Equal(400, (int)error.HttpStatusCode);
        Assert.Equal("idempotency_error", error.StripeError.Type);
        Assert.Contains("same-key", error.StripeError.Message);
    }

    [Fact]
    public async Task A_parameter_that_does_not_exist_in_the_API_is_refused_by_name()
    {
        var options = Gift(2500, "usd");
        options.AddExtraParam("donation_kind", "gift");

        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(options));

        Assert.Equal("parameter_unknown", error.StripeError.Code);
        Assert.Equal("Received unknown parameter: donation_kind", error.StripeError.Message);
    }

    [Fact]
    public async Task A_nested_parameter_that_does_not_exist_is_refused_by_its_full_name()
    {
        var options = Gift(2500, "usd");
        options.AddExtraParam("line_items[0][price_data][amount]", "2500");

        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(options));

        Assert.Equal("line_items[0][price_data][amount]", error.StripeError.Param);
    }

    [Theory]
    [InlineData("mode", "donation")]
    [InlineData("submit_type", "give")]
    public async Task A_value_outside_the_enum_is_refused(string param, string value)
    {
        var options = Gift(2500, "usd");
        if (param == "mode") options.Mode = value; else options.SubmitType = value;

        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(options));

        Assert.Equal(param, error.StripeError.Param);
        Assert.StartsWith($"Invalid {param}: must be one of", error.StripeError.Message);
    }

    [Fact]
    public async Task Payment_intent_data_is_refused_in_subscription_mode()
    {
        var options = Gift(2500, "usd", "subscription");
        options.PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = new() { ["a"] = "b" } };

        var error = await Assert.ThrowsAsync<StripeException>(() => sessions.CreateAsync(options));

        Assert.Contains("payment_intent_data", error.StripeError.Message);
    }
}
