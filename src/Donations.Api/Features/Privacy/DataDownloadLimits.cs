using System.Threading.RateLimiting;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// A donor's data download reads every stored Stripe event that may name them and writes a file:
/// one at a time per donor, and a few an hour, so a signed-in donor (or a page that makes their
/// browser ask) cannot keep the database scanning. In memory, per node, like the portal's other limits.
/// </summary>
public sealed class DataDownloadLimits : IDisposable
{
    public const int PerHour = 5;
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly PartitionedRateLimiter<long> _limiter = PartitionedRateLimiter.CreateChained(
        PartitionedRateLimiter.Create<long, long>(donor => RateLimitPartition.GetConcurrencyLimiter(donor, _ =>
            new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 })),
        PartitionedRateLimiter.Create<long, long>(donor => RateLimitPartition.GetFixedWindowLimiter(donor, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = PerHour, Window = Window, QueueLimit = 0, AutoReplenishment = true })));

    /// <summary>A lease to hold until the download has been sent, or null when the donor must wait.</summary>
    public RateLimitLease? TryStart(long donorId)
    {
        var lease = _limiter.AttemptAcquire(donorId);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
