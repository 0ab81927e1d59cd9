using System.Net;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Checkout;

/// <summary>When Checkout cannot be started: Stripe down or refusing, not configured, too many attempts.</summary>
public sealed class CheckoutFailureTests
{
    private static readonly object Gift = new { amount = 2500, currency = "usd", frequency = "one-time" };

    [Fact]
    public async Task Stripe_refusing_the_session_becomes_a_502_problem_the_reader_can_act_on()
    {
        await using var app = await CheckoutApp.StartAsync();
        app.Stripe.On("POST", "/v1/checkout/sessions", _ =>
            StripeReply.Error(400, "invalid_request_error", "Amount must convert to at least 50 cents.", "amount_too_small"));

        var response = await CheckoutApp.PostJsonAsync(app, Gift);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await CheckoutApp.JsonAsync(response);
        Assert.Equal(502, problem.GetProperty("status").GetInt32());
        Assert.Contains("No payment was taken", problem.GetProperty("detail").GetString());
        Assert.Contains("larger amount", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Stripe_failing_becomes_a_502_problem_and_the_form_shows_the_message()
    {
        await using var app = await CheckoutApp.StartAsync();
        app.Stripe.On("POST", "/v1/checkout/sessions", _ => StripeReply.Error(500, "api_error", "Something went wrong on Stripe's end."));

        var api = await CheckoutApp.PostJsonAsync(app, Gift);
        var form = await app.Client.PostAsync("/donate", new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "25" }));

        Assert.Equal(HttpStatusCode.BadGateway, api.StatusCode);
        Assert.Contains("try again", (await CheckoutApp.JsonAsync(api)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadGateway, form.StatusCode);
        Assert.Contains("No payment was taken", await form.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stripe_unreachable_becomes_a_502_problem()
    {
        await using var app = await CheckoutApp.StartAsync(o => o.Settings["Stripe:ApiBase"] = $"http://127.0.0.1:{FreePort.Next()}");

        var response = await CheckoutApp.PostJsonAsync(app, Gift);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("could not reach", (await CheckoutApp.JsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Stripe_not_configured_is_a_503_problem_saying_so()
    {
        await using var app = await CheckoutApp.StartAsync(o =>
        {
            o.Environment = "Development";
            o.Settings["Stripe:SecretKey"] = "";
        });

        var response = await CheckoutApp.PostJsonAsync(app, Gift);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("not configured", (await CheckoutApp.JsonAsync(response)).GetProperty("detail").GetString());
        Assert.Empty(app.Stripe.Requests);
    }

    [Fact]
    public async Task Too_many_attempts_from_one_client_are_refused_with_429_before_reaching_Stripe()
    {
        await using var app = await CheckoutApp.StartAsync(o => o.Settings["Donations:RateLimit:PerClientPermitLimit"] = "3");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.Add((await CheckoutApp.PostJsonAsync(app, Gift)).StatusCode);
        // Invalid attempts count too: testers probe with whatever they have.
        var refused = await CheckoutApp.PostJsonAsync(app, new { amount = 1 });
        var form = await app.Client.PostAsync("/donate", new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "25" }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, (await CheckoutApp.JsonAsync(refused)).GetProperty("status").GetInt32());
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
        Assert.Contains("too many attempts", await form.Content.ReadAsStringAsync());
        Assert.Equal(3, app.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Count());
    }

    [Fact]
    public async Task Too_many_attempts_for_one_email_are_refused_with_429_whatever_the_case_of_the_address()
    {
        await using var app = await CheckoutApp.StartAsync(o => o.Settings["Donations:RateLimit:PerEmailPermitLimit"] = "2");

        var first = await CheckoutApp.PostJsonAsync(app, new { amount = 2500, email = "tester@example.com" });
        var second = await CheckoutApp.PostJsonAsync(app, new { amount = 2600, email = "Tester@Example.com" });
        var third = await CheckoutApp.PostJsonAsync(app, new { amount = 2700, email = "tester@example.com" });
        var other = await CheckoutApp.PostJsonAsync(app, new { amount = 2700, email = "someone.else@example.com" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Contains("too many attempts", (await CheckoutApp.JsonAsync(third)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Attempts_are_counted_by_outcome_so_card_testing_shows_on_a_dashboard()
    {
        await using var app = await CheckoutApp.StartAsync(o =>
        {
            o.Settings["Observability:PrometheusEndpoint"] = "/metrics";
            o.Settings["Observability:ManagementUrl"] = $"http://127.0.0.1:{Operations.MetricsTests.ManagementPort}";
            o.Settings["Donations:RateLimit:PerClientPermitLimit"] = "2";
        });
        await CheckoutApp.PostJsonAsync(app, Gift);
        await CheckoutApp.PostJsonAsync(app, new { amount = 1 });
        await CheckoutApp.PostJsonAsync(app, Gift);

        // The exporter caches a scrape briefly, so wait for one taken after all three attempts.
        // Each app reads only its own meters, so the counts are this app's exactly.
        string[] outcomes = ["created", "invalid", "rate_limited"];
        var text = "";
        await Wait.UntilAsync(async () =>
        {
            text = await Operations.MetricsTests.ScrapeOnManagementListenerAsync(app);
            return outcomes.All(o => text.Contains($"outcome=\"{o}\""));
        }, what: "the checkout attempts counter to be exported");

        foreach (var outcome in outcomes)
            Assert.Matches($"donations_checkout_attempts_total\\{{[^}}]*outcome=\"{outcome}\"[^}}]*\\}} 1\\b", text);
    }

    [Fact]
    public async Task A_rate_limit_outside_its_range_stops_start_up_naming_the_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await CheckoutApp.StartAsync(o => o.Settings["Donations:RateLimit:PerClientPermitLimit"] = "0");
            await app.Client.GetAsync("/health/live");
        });

        Assert.Contains("Donations:RateLimit:PerClientPermitLimit", error.ToString());
    }
}
