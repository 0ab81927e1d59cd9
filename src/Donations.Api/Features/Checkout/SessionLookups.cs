using System.Threading.RateLimiting;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// Looks up the Checkout Session the thank-you page names, without letting anonymous requests
/// spend the account's read rate limit (which Checkout creation shares).
/// <list type="bullet">
/// <item>Answers are cached by session id for <see cref="Lifetime"/>, at most <see cref="Capacity"/>
/// of them: a reload or a shared link costs nothing, and concurrent requests for one id share a call.</item>
/// <item>Each client may cause <c>Donations:RateLimit:ThankYouLookupsPerClient</c> Stripe calls per
/// <c>Donations:RateLimit:PerClientWindow</c>; past that, and for unknown ids, the page still
/// thanks the reader, only without the amount.</item>
/// </list>
/// </summary>
public sealed class SessionLookups : IDisposable
{
    public const int Capacity = 10_000;
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(8);

    private readonly IStripeClient stripe;
    private readonly ILogger<SessionLookups> log;
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Capacity });
    private readonly PartitionedRateLimiter<string> perClient;

    public SessionLookups(IStripeClient stripe, IOptions<CheckoutRateLimitOptions> limits, ILogger<SessionLookups> log)
    {
        this.stripe = stripe;
        this.log = log;
        var o = limits.Value;
        perClient = PartitionedRateLimiter.Create<string, string>(client =>
            RateLimitPartition.GetFixedWindowLimiter(client, _ => o.Limiter(o.ThankYouLookupsPerClient, o.PerClientWindow)));
    }

    /// <summary>The session, or null when it is unknown, Stripe cannot be asked, or <paramref name="client"/> has asked too often.</summary>
    public async Task<Session?> FindAsync(string sessionId, string client)
    {
        if (cache.TryGetValue(sessionId, out Task<(Session?, bool)>? cached)) return (await cached!).Item1;
        using (var lease = perClient.AttemptAcquire(client))
        {
            if (!lease.IsAcquired)
            {
                log.LogWarning("Thank-you lookups limit reached for a client; answering without Stripe");
                return null;
            }
        }
        // GetOrCreate alone would let concurrent misses each call Stripe; the lock only stores a
        // task, never waits on one. The call is not tied to this request's cancellation: other
        // readers may be waiting on it.
        Task<(Session?, bool)> lookup;
        lock (cache)
        {
            if (!cache.TryGetValue(sessionId, out lookup!))
                lookup = cache.Set(sessionId, LookUpAsync(sessionId), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });
        }
        var (session, keep) = await lookup;
        if (!keep) cache.Remove(sessionId);
        return session;
    }

    /// <summary>The session (null when Stripe has none) and whether that answer may be kept.</summary>
    private async Task<(Session? Session, bool Keep)> LookUpAsync(string sessionId)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            return (await new SessionService(stripe).GetAsync(sessionId, cancellationToken: deadline.Token), true);
        }
        catch (Exception ex) when (ex is StripeException or HttpRequestException or OperationCanceledException)
        {
            log.LogWarning("Could not look up checkout session {SessionId}: {Error}", sessionId, ex.Message);
            // A missing session stays cached as such; a failure of Stripe is retried on the next visit.
            return (null, ex is StripeException { StripeError.Code: "resource_missing" });
        }
    }

    public void Dispose()
    {
        cache.Dispose();
        perClient.Dispose();
    }
}
