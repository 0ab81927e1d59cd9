using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Recurring safety net: an event handed to Hangfire long ago whose job never ran (lost between
/// claim and enqueue, or storage trouble) is released so the dispatcher hands it over again.
/// Failed events are not touched here: Hangfire retries those, and staff see them in the dashboard.
/// While the webhooks queue still holds jobs, an old claim is most likely a batch waiting its turn
/// in a backlog (a burst takes longer than <c>Stripe:InboxStuckAfter</c> to drain), not a lost
/// one: releasing it would queue the same events again and make the backlog longer, so the sweep
/// waits until the queue is empty.
/// </summary>
public sealed class SweepStripeInbox(
    DonationsDbContext db, InboxSignal signal, JobStorage jobs, IOptionsMonitor<StripeOptions> options, TimeProvider time,
    ILogger<SweepStripeInbox> log)
{
    public const string RecurringJobId = "stripe-inbox-sweeper";
    /// <summary>The default of <c>Stripe:InboxStuckAfter</c>.</summary>
    public static readonly TimeSpan StuckAfter = StripeOptions.DefaultInboxStuckAfter;

    public Task RunAsync() => SweepAsync(options.CurrentValue.InboxStuckAfter, CancellationToken.None);

    public async Task<int> SweepAsync(TimeSpan stuckAfter, CancellationToken ct)
    {
        var queued = jobs.GetMonitoringApi().EnqueuedCount(JobQueues.Webhooks);
        if (queued > 0)
        {
            log.LogDebug("Stripe inbox sweep skipped: {Queued} jobs still wait in the webhooks queue", queued);
            return 0;
        }
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
