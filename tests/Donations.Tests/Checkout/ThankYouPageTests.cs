using System.Net;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Checkout;

/// <summary>The thank-you page is anonymous: it must not let anyone spend the account's Stripe read limit.</summary>
public sealed class ThankYouPageTests
{
    [Fact]
    public async Task Reloading_the_thank_you_page_asks_Stripe_once()
    {
        await using var app = await CheckoutApp.StartAsync();
        var id = (await CheckoutApp.JsonAsync(await CheckoutApp.PostJsonAsync(app, new { amount = 2500, currency = "usd", frequency = "one-time" })))
            .GetProperty("id").GetString()!;

        var pages = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => app.Client.GetStringAsync($"/donate/thank-you?session_id={id}")));

        Assert.All(pages, html => Assert.Contains("not received a payment", html));
        Assert.Single(app.Stripe.RequestsTo("GET", $"/v1/checkout/sessions/{id}"));
    }

    [Fact]
    public async Task An_unknown_session_is_asked_about_once_and_still_thanks_the_reader()
    {
        await using var app = await CheckoutApp.StartAsync();

        var first = await app.Client.GetAsync("/donate/thank-you?session_id=cs_test_nosuchsession");
        var again = await app.Client.GetStringAsync("/donate/thank-you?session_id=cs_test_nosuchsession");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("Thank you for supporting Example Journal", again);
        Assert.DoesNotContain("Your gift", again);
        Assert.Single(app.Stripe.RequestsTo("GET", "/v1/checkout/sessions/cs_test_nosuchsession"));
    }

    [Fact]
    public async Task A_malformed_session_id_never_reaches_Stripe()
    {
        await using var app = await CheckoutApp.StartAsync();

        var html = await app.Client.GetStringAsync("/donate/thank-you?session_id=../../v1/balance");

        Assert.Contains("Thank you for supporting Example Journal", html);
        Assert.DoesNotContain(app.Stripe.Requests, r => r.Method == "GET");
    }

    [Fact]
    public async Task A_client_past_its_lookup_limit_is_thanked_without_a_Stripe_call()
    {
        await using var app = await CheckoutApp.StartAsync(o => o.Settings["Donations:RateLimit:ThankYouLookupsPerClient"] = "3");

        var pages = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
            pages.Add(await app.Client.GetAsync($"/donate/thank-you?session_id=cs_test_guess{i}"));

        Assert.All(pages, p => Assert.Equal(HttpStatusCode.OK, p.StatusCode));
        Assert.Contains("Thank you for supporting Example Journal", await pages[^1].Content.ReadAsStringAsync());
        Assert.Equal(3, app.Stripe.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/v1/checkout/sessions/cs_test_guess")));
    }
}
