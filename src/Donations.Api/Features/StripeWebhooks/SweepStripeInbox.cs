using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Recurring safety net: an event handed to Hangfire long ago whose job never ran (lost between
/// claim and enqueue, or storage trouble) is released so the dispatcher hands it over again.
/// Failed events are not touched here: Hangfire retries those, and staff see them in the dashboard.
/// </summary>
public sealed class SweepStripeInbox(
    DonationsDbContext db, InboxSignal signal, IOptionsMonitor<StripeOptions> options, TimeProvider time, ILogger<SweepStripeInbox> log)
{
    public const string RecurringJobId = "stripe-inbox-sweeper";
    /// <summary>The default of <c>Stripe:InboxStuckAfter</c>.</summary>
    public static readonly TimeSpan StuckAfter = StripeOptions.DefaultInboxStuckAfter;

    public Task RunAsync() => SweepAsync(options.CurrentValue.InboxStuckAfter, CancellationToken.None);

    public async Task<int> SweepAsync(TimeSpan stuckAfter, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - stuckAfter;
        var released = await db.StripeEvents
            .Where(e => e.Status == StripeEventStatus.Received && e.EnqueuedAt != null && e.EnqueuedAt < cutoff)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.EnqueuedAt, (DateTime?)null), ct);
        if (released > 0)
        {
            log.LogWarning("Released {Count} Stripe events enqueued before {Cutoff:o} and never processed", released, cutoff);
            signal.Notify();
        }
        return released;
    }
}
