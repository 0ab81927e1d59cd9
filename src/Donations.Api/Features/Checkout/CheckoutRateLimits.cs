using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Donations.Api.Infrastructure.Web;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// Card-testing defences (<c>Donations:RateLimit:*</c>). Stolen-card testers hammer donation
/// forms with small gifts; a reader needs a handful of attempts. Every attempt to start
/// Checkout counts, valid or not.
/// </summary>
public sealed class CheckoutRateLimitOptions
{
    public const string Section = "Donations:RateLimit";
    [Range(1, 100_000, ErrorMessage = "Donations:RateLimit:PerClientPermitLimit must be between 1 and 100000.")]
    public int PerClientPermitLimit { get; set; } = 20;
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Donations:RateLimit:PerClientWindow must be between 1 second and 1 day.")]
    public TimeSpan PerClientWindow { get; set; } = TimeSpan.FromMinutes(10);
    [Range(1, 100_000, ErrorMessage = "Donations:RateLimit:PerEmailPermitLimit must be between 1 and 100000.")]
    public int PerEmailPermitLimit { get; set; } = 5;
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Donations:RateLimit:PerEmailWindow must be between 1 second and 1 day.")]
    public TimeSpan PerEmailWindow { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Stripe lookups one client may cause from the thank-you page per <see cref="PerClientWindow"/>.</summary>
    [Range(1, 100_000, ErrorMessage = "Donations:RateLimit:ThankYouLookupsPerClient must be between 1 and 100000.")]
    public int ThankYouLookupsPerClient { get; set; } = 10;

    // Fixed windows, because their refusals say when the window reopens (Retry-After).
    internal FixedWindowRateLimiterOptions Limiter(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true,
    };
}

/// <summary>The per-client limit, applied by ASP.NET Core's rate limiter to the checkout endpoints.</summary>
internal sealed class CheckoutClientLimit(IOptions<CheckoutRateLimitOptions> options) : IRateLimiterPolicy<string>
{
    public const string Name = "checkout-per-client";

    public RateLimitPartition<string> GetPartition(HttpContext http) =>
        RateLimitPartition.GetFixedWindowLimiter(ClientKey.Of(http),
            _ => options.Value.Limiter(options.Value.PerClientPermitLimit, options.Value.PerClientWindow));

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, _) =>
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : (TimeSpan?)null;
        var services = http.RequestServices;
        services.GetRequiredService<CheckoutMetrics>().Attempt(CheckoutMetrics.RateLimited);
        services.GetRequiredService<ILogger<CheckoutClientLimit>>().LogWarning(
            "Checkout rate limit reached for client {Client}", services.GetRequiredService<Pseudonyms>().Of(ClientKey.Of(http)));
        await DonateForm.FailureFor(http, CheckoutFailure.TooManyAttempts(retryAfter)).ExecuteAsync(http);
    };
}

/// <summary>The per-email limit: the address is in the body, so the handler asks after validation.</summary>
public sealed class CheckoutEmailLimit : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter;

    public CheckoutEmailLimit(IOptions<CheckoutRateLimitOptions> options)
    {
        var o = options.Value;
        limiter = PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key, _ => o.Limiter(o.PerEmailPermitLimit, o.PerEmailWindow)));
    }

    /// <summary>Takes one attempt for <paramref name="emailKey"/> (a pseudonym, never the address); false when spent.</summary>
    public bool TryAcquire(string emailKey, out TimeSpan? retryAfter)
    {
        using var lease = limiter.AttemptAcquire(emailKey);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : null;
        return lease.IsAcquired;
    }

    public void Dispose() => limiter.Dispose();
}
