using System.Net;
using System.Text;

namespace Donations.Tests.Checkout;

public sealed class CheckoutValidationTests(CheckoutApp fixture) : IClassFixture<CheckoutApp>
{
    [Theory]
    [InlineData("""{"amount": 499, "currency": "usd", "frequency": "one-time"}""", "amount", "$5.00")]
    [InlineData("""{"amount": 1000001, "currency": "usd", "frequency": "one-time"}""", "amount", "$10,000.00")]
    [InlineData("""{"amount": 2500.5, "currency": "usd", "frequency": "one-time"}""", "amount", "whole number")]
    [InlineData("""{"amount": "lots", "currency": "usd", "frequency": "one-time"}""", "amount", "wrong type")]
    [InlineData("""{"currency": "usd", "frequency": "one-time"}""", "amount", "amount")]
    [InlineData("""{"amount": 2500, "currency": "gbp", "frequency": "one-time"}""", "currency", "USD, EUR, JPY")]
    [InlineData("""{"amount": 2500, "currency": "usd", "frequency": "weekly"}""", "frequency", "monthly")]
    [InlineData("""{"amount": 2500, "currency": "usd", "frequency": "one-time", "email": "not-an-email"}""", "email", "valid email")]
    [InlineData("""{"amount": 2500, "currency": "usd", "frequency": "one-time", "email": "a@b"}""", "email", "valid email")]
    [InlineData("""{"amount": 2500, "currency": "usd", "frequency": "one-time", "coverFee": "yes"}""", "coverFee", "wrong type")]
    [InlineData("""{"amount": 2500,""", "body", "not a valid JSON")]
    public async Task Invalid_request_is_refused_with_problem_details_naming_the_field(string json, string field, string message)
    {
        var before = fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Count();

        var response = await fixture.App.Client.PostAsync("/api/checkout", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await CheckoutApp.JsonAsync(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(before, fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Count());
    }

    [Fact]
    public async Task Several_invalid_fields_are_reported_together()
    {
        var response = await fixture.PostJsonAsync(new { amount = 1, currency = "usd", frequency = "yearly", email = "x" });

        var errors = (await CheckoutApp.JsonAsync(response)).GetProperty("errors");
        Assert.Equal(["amount", "email", "frequency"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [InlineData(500, "usd")]
    [InlineData(1000000, "usd")]
    [InlineData(500, "eur")]
    [InlineData(10000, "jpy")]
    public async Task The_configured_bounds_are_accepted_in_each_currency(long amount, string currency)
    {
        var response = await fixture.PostJsonAsync(new { amount, currency, frequency = "one-time" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Currency_and_frequency_default_and_ignore_case()
    {
        var campaign = CheckoutApp.NewCampaign();
        var response = await fixture.PostJsonAsync(new { amount = 700, currency = "USD", campaign });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = fixture.SessionRequestFor(campaign);
        Assert.Equal("usd", sent["line_items[0][price_data][currency]"]);
        Assert.Equal("payment", sent["mode"]);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_refused_as_unsupported()
    {
        var response = await fixture.App.Client.PostAsync("/api/checkout", new StringContent("amount=2500", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(415, (await CheckoutApp.JsonAsync(response)).GetProperty("status").GetInt32());
    }
}
