namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Stripe.net binds objects of its own release train only (53.x: <c>*.endive</c>). Events of
/// another train are kept in the inbox as Failed with this explanation instead of being guessed at.
/// </summary>
public static class StripeApiVersion
{
    public static string Pinned => global::Stripe.StripeConfiguration.ApiVersion;

    private static string Train(string version) => version[(version.IndexOf('.') + 1)..];

    public static bool IsSupported(string? version) =>
        version is not null && version.Contains('.') && Train(version) == Train(Pinned);

    public static string MismatchError(string? version) =>
        $"API version {version ?? "(none)"} is not supported: create the webhook endpoint on {Pinned} " +
        $"(any *.{Train(Pinned)} version), then resend the event from Stripe's dashboard.";
}
