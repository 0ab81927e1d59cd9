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
/// While the webhooks queue still holds jobs, waiting or being run, a claim just past
/// <c>Stripe:InboxStuckAfter</c> is most likely a batch waiting its turn in a backlog, not a lost
/// one: releasing it would queue the same events again and lengthen the backlog. Then only claims
/// twice that old are released, so a lost job (a node killed between claim and enqueue) is still
/// healed within a bounded time under any load.
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
        // A busy webhooks queue (jobs waiting or running) most likely still holds an old claim's
        // batch: only claims twice as old are taken for lost then, so a backlog is not queued again
        // while a dead node's claims still come back within a bounded time.
        var monitoring = jobs.GetMonitoringApi();
        var busy = monitoring.EnqueuedCount(JobQueues.Webhooks) + monitoring.FetchedCount(JobQueues.Webhooks) > 0;
        var cutoff = time.GetUtcNow().UtcDateTime - (busy ? stuckAfter * 2 : stuckAfter);
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
