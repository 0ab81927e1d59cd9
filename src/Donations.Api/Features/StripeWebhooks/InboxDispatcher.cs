using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Drains committed inbox rows into Hangfire, one <see cref="ProcessStripeEvent"/> job per event.
/// Runs on every node, web-only ones included: enqueueing needs only Hangfire's storage, and the
/// node that took the webhook is the one woken at once. Each row is claimed with a conditional
/// UPDATE before it is enqueued, so two nodes never both enqueue it; a crash between claim and
/// enqueue is healed by <see cref="SweepStripeInbox"/>.
/// </summary>
public sealed class InboxDispatcher(
    IServiceScopeFactory scopes, InboxSignal signal, IBackgroundJobClient jobs, TimeProvider time,
    ILogger<InboxDispatcher> log) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private const int BatchSize = 200;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var dispatched = await DispatchBatchAsync(stoppingToken);
                failures = 0;
                if (dispatched == BatchSize) continue;
                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database or Hangfire's storage is away (or not migrated yet): keep trying
                // without flooding the log; rows wait safely in the inbox.
                failures++;
                if (failures is 1 or 10 or 100 || failures % 1000 == 0)
                    log.LogWarning(e, "Dispatching Stripe events failed ({Failures} times in a row); retrying", failures);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(failures, 5)), time, stoppingToken);
            }
        }
    }

    /// <summary>Claims and enqueues waiting rows; returns how many it enqueued.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
        var ids = await db.StripeEvents
            .Where(e => e.Status == StripeEventStatus.Received && e.EnqueuedAt == null)
            .OrderBy(e => e.ReceivedAt)
            .Select(e => e.Id)
            .Take(BatchSize)
            .ToListAsync(ct);

        var dispatched = 0;
        foreach (var id in ids)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var claimed = await db.StripeEvents
                .Where(e => e.Id == id && e.EnqueuedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.EnqueuedAt, now), ct);
            if (claimed == 0) continue;
            try
            {
                var jobId = jobs.Enqueue<ProcessStripeEvent>(JobQueues.Webhooks, j => j.RunAsync(id));
                log.LogDebug("Stripe event {EventId} enqueued as job {JobId}", id, jobId);
                dispatched++;
            }
            catch
            {
                await db.StripeEvents.Where(e => e.Id == id)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.EnqueuedAt, (DateTime?)null), CancellationToken.None);
                throw;
            }
        }
        return dispatched;
    }
}
