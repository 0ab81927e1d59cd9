using System.Threading.RateLimiting;
using Donations.Api.Infrastructure.Web;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// Limits on asking for sign-in links, per client address and per email address, so the form
/// cannot be used to flood someone's inbox or to hammer the database. In memory, per node:
/// with several nodes the effective limit is a multiple, which still stops abuse.
/// The limiters are the ones ASP.NET Core's rate limiting middleware uses, applied inside the
/// portal's endpoints so that the portal's limits never interfere with other features' policies.
/// </summary>
public sealed class PortalRateLimits : IDisposable
{
    public const int RequestsPerAddress = 10;
    public static readonly TimeSpan AddressWindow = TimeSpan.FromMinutes(10);
    public const int RequestsPerEmail = 3;
    public static readonly TimeSpan EmailWindow = TimeSpan.FromHours(1);
    public const int RedemptionsPerAddress = 30;

    private readonly PartitionedRateLimiter<string> _requestsByAddress;
    private readonly PartitionedRateLimiter<string> _requestsByEmail;
    private readonly PartitionedRateLimiter<string> _redemptionsByAddress;

    public PortalRateLimits()
    {
        _requestsByAddress = Create(RequestsPerAddress, AddressWindow);
        _requestsByEmail = Create(RequestsPerEmail, EmailWindow);
        _redemptionsByAddress = Create(RedemptionsPerAddress, AddressWindow);
    }

    public ValueTask<bool> AllowRequestFromAsync(HttpContext http) => AcquireAsync(_requestsByAddress, ClientKey.Of(http));
    public ValueTask<bool> AllowRequestForAsync(string normalizedEmail) => AcquireAsync(_requestsByEmail, normalizedEmail);
    public ValueTask<bool> AllowRedemptionFromAsync(HttpContext http) => AcquireAsync(_redemptionsByAddress, ClientKey.Of(http));

    private static async ValueTask<bool> AcquireAsync(PartitionedRateLimiter<string> limiter, string key)
    {
        using var lease = await limiter.AcquireAsync(key);
        return lease.IsAcquired;
    }

    private static PartitionedRateLimiter<string> Create(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true }));

    public void Dispose()
    {
        _requestsByAddress.Dispose();
        _requestsByEmail.Dispose();
        _redemptionsByAddress.Dispose();
    }
}
