using System.Diagnostics;
using System.Diagnostics.Metrics;
using Donations.Api.Infrastructure.Observability;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// Attempts to start Checkout by outcome, on the service's own meter: a jump in
/// <c>invalid</c> or <c>rate_limited</c> is what card testing looks like.
/// </summary>
public sealed class CheckoutMetrics(IMeterFactory meters)
{
    public const string Created = "created", Invalid = "invalid", RateLimited = "rate_limited",
        StripeFailed = "stripe_failed", NotConfigured = "not_configured";

    private readonly Counter<long> attempts = meters.Create(DonationsMetrics.Name).CreateCounter<long>(
        "donations.checkout.attempts", "{attempt}", "Attempts to start Checkout, by outcome.");

    public void Attempt(string outcome) => attempts.Add(1, new TagList { { "outcome", outcome } });
}
