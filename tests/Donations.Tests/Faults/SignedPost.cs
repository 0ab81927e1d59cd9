using System.Net;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Faults;

public static class SignedPost
{
    /// <summary>Posts one event to <c>/stripe/webhook</c> through any client (test server or a real socket), signed as Stripe signs it.</summary>
    public static async Task<HttpStatusCode> PostEventAsync(this HttpClient client, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/stripe/webhook")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", StripeSignature.Header(json));
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
