using System.Collections.Concurrent;
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
/// enqueue is healed by <see cref="SweepStripeInbox"/>. When the database goes away between claim
/// and enqueue, the claim cannot be undone at once either: the dispatcher remembers it and
/// releases it as soon as the database answers again, rather than leaving it to the sweeper.
/// </summary>
public sealed class InboxDispatcher(
    IServiceScopeFactory scopes, InboxSignal signal, IBackgroundJobClient jobs, TimeProvider time,
    ILogger<InboxDispatcher> log) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private const int BatchSize = 200;
    private readonly ConcurrentDictionary<string, byte> _claimedNotEnqueued = new();

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
        await ReleaseOrphanedClaimsAsync(db, ct);
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
            int claimed;
            try
            {
                claimed = await db.StripeEvents
                    .Where(e => e.Id == id && e.EnqueuedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.EnqueuedAt, now), ct);
            }
            catch
            {
                // The connection can break after the server committed the claim: we cannot tell,
                // so treat it as ours. Releasing a claim another node made costs at most a second
                // job for the event, which processing shrugs off.
                _claimedNotEnqueued.TryAdd(id, 0);
                throw;
            }
            if (claimed == 0) continue;
            try
            {
                var jobId = jobs.Enqueue<ProcessStripeEvent>(JobQueues.Webhooks, j => j.RunAsync(id));
                log.LogDebug("Stripe event {EventId} enqueued as job {JobId}", id, jobId);
                dispatched++;
            }
            catch
            {
                _claimedNotEnqueued.TryAdd(id, 0);
                await ReleaseOrphanedClaimsAsync(db, CancellationToken.None);
                throw;
            }
        }
        return dispatched;
    }

    /// <summary>Hands back rows this node claimed but could not enqueue; throws while the database is away.</summary>
    private async Task ReleaseOrphanedClaimsAsync(DonationsDbContext db, CancellationToken ct)
    {
        if (_claimedNotEnqueued.IsEmpty) return;
        var ids = _claimedNotEnqueued.Keys.ToList();
        await db.StripeEvents.Where(e => ids.Contains(e.Id) && e.Status == StripeEventStatus.Received)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.EnqueuedAt, (DateTime?)null), ct);
        foreach (var id in ids) _claimedNotEnqueued.TryRemove(id, out _);
        log.LogInformation("Released {Count} Stripe events claimed while Hangfire's storage was unavailable", ids.Count);
    }
}
