using System.Collections.Concurrent;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Drains committed inbox rows into Hangfire, one <see cref="ProcessStripeEventBatch"/> job per
/// <see cref="ProcessStripeEventBatch.Size"/> events in the order they arrived.
/// Runs on every node, web-only ones included: enqueueing needs only Hangfire's storage, and the
/// node that took the webhook is the one woken at once. Rows are claimed (EnqueuedAt set) before
/// they are enqueued, so two nodes never both enqueue one; a crash between claim and enqueue is
/// healed by <see cref="SweepStripeInbox"/>. When the database goes away during a claim or between
/// claim and enqueue, the claim cannot be undone at once either: the dispatcher remembers it (the
/// ids, or the claim's timestamp when its answer was lost) and releases it as soon as the database
/// answers again, rather than leaving it to the sweeper.
/// </summary>
public sealed class InboxDispatcher(
    IServiceScopeFactory scopes, RowClaims claims, InboxSignal signal, IBackgroundJobClient jobs, TimeProvider time,
    ILogger<InboxDispatcher> log) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan GatherTime = TimeSpan.FromMilliseconds(200);
    private const int BatchSize = 200;
    private readonly ConcurrentDictionary<string, byte> _claimedNotEnqueued = new();
    private readonly ConcurrentDictionary<DateTime, byte> _lostClaimStamps = new();

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
                // Under a steady stream, every webhook would wake a pass that hands over one or two
                // events, each as a job of its own, and a job's bookkeeping costs more than the
                // event. A short gathering pause after the wake-up makes the jobs hold many events
                // at little cost in latency.
                if (dispatched > 0) await Task.Delay(GatherTime, stoppingToken); // wall time, as the poll: not business time
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

        // The claim's own mark: if its answer is lost, the rows it may have claimed are found by it.
        var stamp = RowClaims.Mark(time.GetUtcNow().UtcDateTime);
        List<string> ids;
        try
        {
            ids = await ClaimAsync(db, stamp, ct);
        }
        catch
        {
            // The connection can break after the server committed the claim: we cannot tell, so
            // treat it as ours. Releasing a claim another node made costs at most a second job for
            // the event, which processing shrugs off.
            _lostClaimStamps.TryAdd(stamp, 0);
            throw;
        }

        var dispatched = 0;
        try
        {
            foreach (var chunk in ids.Chunk(ProcessStripeEventBatch.Size))
            {
                var jobId = jobs.Enqueue<ProcessStripeEventBatch>(JobQueues.Webhooks, j => j.RunAsync(chunk));
                log.LogDebug("{Count} Stripe events enqueued as job {JobId}", chunk.Length, jobId);
                dispatched += chunk.Length;
            }
        }
        catch
        {
            foreach (var id in ids.Skip(dispatched)) _claimedNotEnqueued.TryAdd(id, 0);
            await ReleaseOrphanedClaimsAsync(db, CancellationToken.None);
            throw;
        }
        return dispatched;
    }

    /// <summary>Oldest first, as they arrived; one statement for the batch where the database allows.</summary>
    private Task<List<string>> ClaimAsync(DonationsDbContext db, DateTime stamp, CancellationToken ct) =>
        claims.ClaimBatchAsync<string, DateTime>(db, Claim(stamp), ct);

    /// <summary>
    /// The waiting rows, read through their own index (<see cref="StripeEvent.WaitingToBeEnqueued"/>):
    /// a claim costs its batch, not the backlog.
    /// </summary>
    internal static BatchClaim Claim(DateTime stamp) => new(
        Table: "StripeEvents", Key: "Id", Order: "ReceivedAt",
        Set: "\"EnqueuedAt\" = @stamp",
        Where: StripeEvent.WaitingToBeEnqueued,
        Limit: BatchSize,
        Parameters: new Dictionary<string, object?> { ["stamp"] = stamp });


    /// <summary>Hands back rows this node claimed but could not enqueue; throws while the database is away.</summary>
    private async Task ReleaseOrphanedClaimsAsync(DonationsDbContext db, CancellationToken ct)
    {
        if (_claimedNotEnqueued.IsEmpty && _lostClaimStamps.IsEmpty) return;
        var ids = _claimedNotEnqueued.Keys.ToList();
        var stamps = _lostClaimStamps.Keys.Select(s => (DateTime?)s).ToList();
        var released = await db.StripeEvents
            .Where(e => e.Status == StripeEventStatus.Received && (ids.Contains(e.Id) || stamps.Contains(e.EnqueuedAt)))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.EnqueuedAt, (DateTime?)null), ct);
        foreach (var id in ids) _claimedNotEnqueued.TryRemove(id, out _);
        foreach (var stamp in stamps) _lostClaimStamps.TryRemove(stamp!.Value, out _);
        log.LogInformation("Released {Count} Stripe events claimed while the database or Hangfire's storage was unavailable", released);
    }
}
