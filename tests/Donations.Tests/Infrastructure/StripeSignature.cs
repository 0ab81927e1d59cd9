using Stripe;

namespace Donations.Tests.Infrastructure;

/// <summary>Signs webhook payloads the way Stripe does, with the secret the test app trusts.</summary>
public static class StripeSignature
{
    public const string Secret = "whsec_test_donations_harness_secret_0001";
    public const string OtherSecret = "whsec_test_donations_harness_secret_0002";

    public static string Header(string payload, string secret = Secret, DateTimeOffset? at = null) =>
        EventUtility.GenerateSignatureHeader(payload, secret, (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds());
}
