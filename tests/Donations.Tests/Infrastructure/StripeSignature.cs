using System.Net;
using Stripe;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// Signs webhook payloads the way Stripe does, with the secret the test app trusts, and builds the
/// one kind of request every test posts to <c>/stripe/webhook</c>.
/// </summary>
public static class StripeSignature
{
    public const string Secret = "whsec_test_donations_harness_secret_0001";
    public const string OtherSecret = "whsec_test_donations_harness_secret_0002";

    public static string Header(string payload, string secret = Secret, DateTimeOffset? at = null) =>
        EventUtility.GenerateSignatureHeader(payload, secret, (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds());

    /// <summary>
    /// A POST of this body to the webhook endpoint (relative to the client's base address unless
    /// <paramref name="endpoint"/> is given) with this <c>Stripe-Signature</c> header, or none when null.
    /// </summary>
    public static HttpRequestMessage WebhookRequest(string body, string? signature, Uri? endpoint = null, bool chunked = false)
    {
        HttpContent content = chunked
            ? new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)))
            : new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint ?? new Uri("/stripe/webhook", UriKind.Relative)) { Content = content };
        if (chunked) request.Headers.TransferEncodingChunked = true;
        if (signature is not null) request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return request;
    }

    /// <summary>The webhook request signed as Stripe signs it.</summary>
    public static HttpRequestMessage SignedWebhook(string json, string secret = Secret, DateTimeOffset? at = null, Uri? endpoint = null) =>
        WebhookRequest(json, Header(json, secret, at), endpoint);

    /// <summary>Posts one signed event through any client (test server or a real socket) and returns the status.</summary>
    public static async Task<HttpStatusCode> PostEventAsync(this HttpClient client, string json, Uri? endpoint = null)
    {
        using var request = SignedWebhook(json, endpoint: endpoint);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
