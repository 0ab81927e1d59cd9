using System.Diagnostics;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Applies one inbox row, the unit every way of processing events shares (or a batch's rows about
/// different things together, <see cref="ApplyTogetherAsync"/>): parse, hand to the
/// handler for its type, and mark the row Processed/Ignored in the same SaveChanges as the
/// handler's changes and what before-commit subscribers add to them; then publish the domain events the handler raised and wake events waiting
/// for what it created. A row already marked is left alone. Failures are recorded on the row
/// (visible to staff) and rethrown for the caller's retry. Knows no feature: handlers and
/// after-commit subscribers come from DI.
/// </summary>
public sealed class StripeEventProcessor(
    DonationsDbContext db, IEnumerable<IStripeEventHandler> handlers, AfterCommitPublisher publisher, AfterCommitBatch batch,
    InboxSignal signal, DonationsMetrics metrics, TimeProvider time, ILogger<StripeEventProcessor> log)
{
    private const int RaceAttempts = 8;
    private readonly Dictionary<string, IStripeEventHandler> _byType = handlers
        .SelectMany(h => h.EventTypes.Select(t => (Type: t, Handler: h)))
        .ToDictionary(x => x.Type, x => x.Handler);

    public IReadOnlyCollection<string> HandledTypes => _byType.Keys;

    public async Task ApplyAsync(string eventId, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var lookedAgain = false;
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var row = await db.StripeEvents.SingleOrDefaultAsync(e => e.Id == eventId, ct);
            if (row is null)
            {
                log.LogWarning("Stripe event {EventId} is not in the inbox; nothing to do", eventId);
                return;
            }
            if (row.Status is StripeEventStatus.Processed or StripeEventStatus.Ignored) return;
            var statusRead = row.Status;
            if (!StripeApiVersion.IsSupported(row.ApiVersion))
            {
                await RecordFailureAsync(eventId, StripeApiVersion.MismatchError(row.ApiVersion), ct);
                return; // retrying cannot help; the row says what to do
            }

            var effects = new StripeEventEffects();
            try
            {
                await HandleAsync(row, effects, ct);
                await publisher.PrepareAsync(effects.Events, ct);
                await db.SaveChangesAsync(ct);
                log.LogInformation("Stripe event {EventId} ({EventType}) {Outcome}", eventId, row.Type, row.Status);
                metrics.WebhookHandled(row.Type, row.Status.ToString().ToLowerInvariant(), Stopwatch.GetElapsedTime(started));
            }
            catch (DbUpdateException e) when ((UniqueViolation.Is(e) || e is DbUpdateConcurrencyException) && attempt < RaceAttempts)
            {
                // Another job inserted the same donor/donation/membership first: run again on top of it.
                log.LogInformation("Stripe event {EventId} lost a race for a unique key or a changed donation; re-running (attempt {Attempt})", eventId, attempt);
                continue;
            }
            catch (StripeEventNotReadyException e)
            {
                log.LogInformation("Stripe event {EventId}: {Reason}", eventId, e.Message);
                // Only over the status we read: had the event that creates the missing thing woken
                // this row since (Failed → Received), our mark would put it back to sleep, and no
                // one would wake it before Hangfire's next retry, minutes away after a few.
                if (!await RecordFailureAsync(eventId, e.Message, ct, onlyIf: attempt < RaceAttempts ? statusRead : null))
                {
                    log.LogInformation("Stripe event {EventId} was woken while it looked; looking again", eventId);
                    continue;
                }
                // The creating event may also have committed, and looked for waiting events, between
                // our look and our mark: look once more now that the mark is visible.
                if (!lookedAgain)
                {
                    lookedAgain = true;
                    continue;
                }
                metrics.WebhookHandled(row.Type, "waiting", Stopwatch.GetElapsedTime(started));
                throw;
            }
            catch (Exception e)
            {
                log.LogError(e, "Stripe event {EventId} ({EventType}) failed", eventId, row.Type);
                metrics.WebhookHandled(row.Type, "failed", Stopwatch.GetElapsedTime(started));
                await RecordFailureAsync(eventId, e.Message, ct);
                throw;
            }

            effects.Raise(new StripeEventApplied(row.Id, row.Payload));
            await publisher.PublishAsync(effects.Events, ct);
            await WakeWaitingEventsAsync(effects.StripeIds, ct);
            return;
        }
    }

    /// <summary>
    /// Applies those of a batch's events that are about different things (<see cref="EventGroup"/>)
    /// together, <see cref="GroupSize"/> at a time: their rows read in one query, one
    /// <c>SaveChanges</c> (one short transaction, after the handlers and any Stripe calls they make),
    /// then each event's domain events published. Returns the ids left to <see cref="ApplyAsync"/>, in
    /// the batch's order: those no group could take, and — should any event of a group fail, wait for
    /// something or lose a race — all of that group's too, with nothing of it saved, so each meets its
    /// own failure, retry and wake-up alone and none blocks the others.
    /// </summary>
    public async Task<IReadOnlyList<string>> ApplyTogetherAsync(IReadOnlyList<string> eventIds, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var rows = await db.StripeEvents.AsNoTracking().Where(e => eventIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        var split = EventGroup.Of(eventIds, rows, row => StripeApiVersion.IsSupported(row.ApiVersion));
        var left = split.Alone.ToHashSet();
        foreach (var group in split.Together.Chunk(GroupSize))
            if (!await ApplyGroupAsync([.. group.Select(r => r.Id)], ct))
                left.UnionWith(group.Select(r => r.Id));
        return [.. eventIds.Distinct().Where(left.Contains)];
    }

    /// <summary>
    /// Events applied in one <c>SaveChanges</c>. Bounded by what a failure costs, not by the looks in
    /// the change tracker (cheap since <see cref="Infrastructure.Data.TrackedEntities"/>): one event of
    /// the group that fails or must wait (a subscription's first event before its checkout, a unique
    /// key taken by another batch at the same moment) sends the whole group one at a time, Stripe
    /// calls repeated, and a slow Stripe keeps the group uncommitted longer. A whole batch of 100 cut
    /// the burst's CPU per gift by a tenth when nothing failed, a mix that fails now and then was not
    /// measured: 25 stays.
    /// </summary>
    public const int GroupSize = 25;

    /// <summary>One group, in one <c>SaveChanges</c>; false if it was rolled back and its events must go one at a time.</summary>
    private async Task<bool> ApplyGroupAsync(string[] ids, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        db.ChangeTracker.Clear();
        // Read again now, not when the batch began: a row another job has applied meanwhile is left alone.
        var rows = (await db.StripeEvents.Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct))
            .Values.Where(r => r.Status == StripeEventStatus.Received).OrderBy(r => Array.IndexOf(ids, r.Id)).ToList();
        var applied = new List<(StripeEvent Row, StripeEventEffects Effects)>(rows.Count);
        string? handling = null;
        try
        {
            foreach (var row in rows)
            {
                handling = row.Id;
                var effects = new StripeEventEffects();
                await HandleAsync(row, effects, ct);
                applied.Add((row, effects));
            }
            handling = null;
            await publisher.PrepareAsync(applied.SelectMany(a => a.Effects.Events), ct);
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Nothing was saved: each event is applied again on its own, where a failure is its alone.
            db.ChangeTracker.Clear();
            log.LogInformation("{Count} Stripe events could not be applied together ({Reason}, at {Where}); applying them one at a time",
                rows.Count, e.Message, handling ?? "the commit");
            return false;
        }

        // Each event's share of the group's time.
        var elapsed = Stopwatch.GetElapsedTime(started) / Math.Max(1, applied.Count);
        foreach (var (row, effects) in applied)
        {
            log.LogInformation("Stripe event {EventId} ({EventType}) {Outcome}", row.Id, row.Type, row.Status);
            metrics.WebhookHandled(row.Type, row.Status.ToString().ToLowerInvariant(), elapsed);
            effects.Raise(new StripeEventApplied(row.Id, row.Payload));
            // One event's subscriber failing costs the others nothing, as when each event was applied alone.
            try
            {
                await publisher.PublishAsync(effects.Events, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Stripe event {EventId} ({EventType}) was applied, but its follow-up work failed (receipts and statements are found again by their sweepers)", row.Id, row.Type);
            }
        }
        await WakeWaitingEventsAsync([.. applied.SelectMany(a => a.Effects.StripeIds).Distinct()], ct);
        return true;
    }

    /// <summary>Hands the event to the handler for its type, unsaved, and marks its row with the outcome.</summary>
    private async Task HandleAsync(StripeEvent row, StripeEventEffects effects, CancellationToken ct)
    {
        var outcome = StripeEventOutcome.Ignored;
        if (_byType.TryGetValue(row.Type, out var handler))
            outcome = await handler.HandleAsync(EventUtility.ParseEvent(row.Payload, throwOnApiVersionMismatch: false), effects, ct);
        row.Status = outcome == StripeEventOutcome.Processed ? StripeEventStatus.Processed : StripeEventStatus.Ignored;
        row.ProcessedAt = time.GetUtcNow().UtcDateTime;
        row.Attempts++;
        row.Error = row.Status == StripeEventStatus.Ignored ? effects.IgnoredReason : null;
    }

    /// <summary>
    /// Marks the row Failed with <paramref name="error"/>; with <paramref name="onlyIf"/>, only while
    /// the row still has that status. Returns whether the row was marked.
    /// </summary>
    private async Task<bool> RecordFailureAsync(string eventId, string error, CancellationToken ct, StripeEventStatus? onlyIf = null)
    {
        db.ChangeTracker.Clear();
        var message = error.Length > 4000 ? error[..4000] : error;
        var rows = db.StripeEvents.Where(e => e.Id == eventId);
        if (onlyIf is { } status) rows = rows.Where(e => e.Status == status);
        return await rows.ExecuteUpdateAsync(s => s
            .SetProperty(e => e.Status, StripeEventStatus.Failed)
            .SetProperty(e => e.Error, message)
            .SetProperty(e => e.Attempts, e => e.Attempts + 1), ct) > 0;
    }

    /// <summary>
    /// Events that failed only because something was missing (see <see cref="StripeEventNotReadyException"/>)
    /// and mention an id this event just created go back to the dispatcher now instead of waiting
    /// for Hangfire's next retry, which may be minutes away.
    /// </summary>
    // In a batch, once for all its events when it ends: still after every commit that created
    // them, and one look instead of one per event. A wake lost with a dying process costs the
    // waiting event only the wait for its own retry.
    private Task WakeWaitingEventsAsync(IReadOnlyCollection<string> stripeIds, CancellationToken ct) =>
        stripeIds.Count == 0 ? Task.CompletedTask : batch.GatherAsync(this, stripeIds, WakeNowAsync, ct);

    private async Task WakeNowAsync(IReadOnlyList<string> created, CancellationToken ct)
    {
        var stripeIds = created.Distinct().ToList();
        var waiting = db.StripeEvents.Where(e => e.Status == StripeEventStatus.Failed
                                                 && e.Error != null && e.Error.StartsWith(StripeEventNotReadyException.ErrorPrefix));
        // Almost always none: one look on the failed events' index instead of one search per id;
        // else the waiting rows are read once and matched here, not searched once per id.
        var rows = await waiting.Select(e => new { e.Id, e.Payload }).ToListAsync(ct);
        if (rows.Count == 0) return;
        var quoted = stripeIds.Select(id => $"\"{id}\"").ToList();
        var matched = rows.Where(r => quoted.Any(q => r.Payload.Contains(q, StringComparison.Ordinal))).Select(r => r.Id).ToList();
        if (matched.Count == 0) return;
        var woken = await waiting
            .Where(e => matched.Contains(e.Id))
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, StripeEventStatus.Received)
                .SetProperty(e => e.EnqueuedAt, (DateTime?)null), ct);
        if (woken > 0) signal.Notify();
    }
}
