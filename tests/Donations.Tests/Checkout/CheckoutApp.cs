using System.Net.Http.Json;
using System.Text.Json;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Checkout;

/// <summary>
/// One service shared by a test class, with limits high enough that the class's own requests
/// never trip them. Tests find their Stripe call by a campaign name only they use.
/// </summary>
public sealed class CheckoutApp : IAsyncLifetime
{
    public DonationsApp App { get; private set; } = null!;
    public StripeStandIn Stripe => App.Stripe;

    public async Task InitializeAsync() => App = await StartAsync();

    public Task DisposeAsync() => App.DisposeAsync().AsTask();

    public static Task<DonationsApp> StartAsync(Action<DonationsAppOptions>? configure = null) =>
        DonationsApp.StartAsync(o =>
        {
            o.HangfireServer = false;
            o.Settings["Donations:RateLimit:PerClientPermitLimit"] = "10000";
            o.Settings["Donations:RateLimit:PerEmailPermitLimit"] = "10000";
            configure?.Invoke(o);
        });

    public static string NewCampaign() => "test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The one session creation Stripe received for <paramref name="campaign"/>.</summary>
    public StripeRequest SessionRequestFor(string campaign) =>
        Assert.Single(Stripe.RequestsTo("POST", "/v1/checkout/sessions"), r => r["metadata[campaign]"] == campaign);

    public Task<HttpResponseMessage> PostJsonAsync(object body, string? idempotencyKey = null) =>
        PostJsonAsync(App, body, idempotencyKey);

    public static Task<HttpResponseMessage> PostJsonAsync(DonationsApp app, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/checkout") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return app.Client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
