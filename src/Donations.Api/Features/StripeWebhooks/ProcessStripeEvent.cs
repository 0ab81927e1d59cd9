using Donations.Api.Features.Memberships;
using Donations.Api.Features.Receipts;
using System.Diagnostics;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Hangfire job for one inbox row: parse, hand to the handler for its type, and mark the row
/// Processed/Ignored in the same SaveChanges as the handler's effects. A redelivered job finds the
/// marker and stops. Failures are recorded on the row (visible to staff) and rethrown so Hangfire
/// retries.
/// </summary>
public sealed class ProcessStripeEvent(
    DonationsDbContext db, IEnumerable<IStripeEventHandler> handlers, IReceiptScheduler receipts,
    MembershipNotices membershipNotices, InboxSignal signal, DonationsMetrics metrics, TimeProvider time, ILogger<ProcessStripeEvent> log)
{
    private const int RaceAttempts = 8;
    private readonly Dictionary<string, IStripeEventHandler> _byType = handlers
        .SelectMany(h => h.EventTypes.Select(t => (Type: t, Handler: h)))
        .ToDictionary(x => x.Type, x => x.Handler);

    public IReadOnlyCollection<string> HandledTypes => _byType.Keys;

    // A database restart heals in seconds; Hangfire's default first delay (16–75 s) would hold
    // the work back for a minute after it, so the first retries come sooner, and a restart of up to
    // ~40 s is still followed within seconds.
    [AutomaticRetry(Attempts = 12, DelaysInSeconds = [2, 5, 10, 20, 30, 60, 300, 900, 1800, 3600, 7200, 14400])]
    public async Task RunAsync(string eventId)
    {
        var ct = CancellationToken.None;
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
            if (!StripeApiVersion.IsSupported(row.ApiVersion))
            {
                await RecordFailureAsync(eventId, StripeApiVersion.MismatchError(row.ApiVersion), ct);
                return; // retrying cannot help; the row says what to do
            }

            var effects = new StripeEventEffects();
            try
            {
                var outcome = StripeEventOutcome.Ignored;
                if (_byType.TryGetValue(row.Type, out var handler))
                {
                    var stripeEvent = EventUtility.ParseEvent(row.Payload, throwOnApiVersionMismatch: false);
                    outcome = await handler.HandleAsync(stripeEvent, effects, ct);
                }
                row.Status = outcome == StripeEventOutcome.Processed ? StripeEventStatus.Processed : StripeEventStatus.Ignored;
                row.ProcessedAt = time.GetUtcNow().UtcDateTime;
                row.Attempts++;
                row.Error = row.Status == StripeEventStatus.Ignored ? effects.IgnoredReason : null;
                await db.SaveChangesAsync(ct);
                log.LogInformation("Stripe event {EventId} ({EventType}) {Outcome}", eventId, row.Type, row.Status);
                metrics.WebhookHandled(row.Type, row.Status.ToString().ToLowerInvariant(), Stopwatch.GetElapsedTime(started));
            }
            catch (DbUpdateException e) when ((UniqueViolation.Is(e) || e is DbUpdateConcurrencyException) && attempt < RaceAttempts)
            {
                // Another job inserted the same donor/donation/membership first, or changed the same
                // donation since we read it: run again on top of what it stored.
                log.LogInformation("Stripe event {EventId} lost a race for a unique key; re-running (attempt {Attempt})", eventId, attempt);
                continue;
            }
            catch (StripeEventNotReadyException e)
            {
                log.LogInformation("Stripe event {EventId}: {Reason}", eventId, e.Message);
                await RecordFailureAsync(eventId, e.Message, ct);
                // The event that creates the missing thing may have committed, and looked for
                // waiting events, between our look and our "waiting" mark: look once more now
                // that the mark is visible, or no one may wake this event before Hangfire's retry.
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

            foreach (var donation in effects.SettledDonations)
                metrics.DonationSettled(donation.Currency, donation.Frequency == DonationFrequency.Monthly ? "monthly" : "one-time", donation.Amount);
            await LinkGiftsToMembershipsAsync(effects, ct);
            foreach (var donation in effects.Donations) receipts.Schedule(donation.Id);
            membershipNotices.AfterCommit(effects);
            await WakeWaitingEventsAsync(effects.StripeIds, ct);
            return;
        }
    }

    /// <summary>
    /// A subscription's first event and one of its invoices can be processed at the same moment
    /// by two workers, each committing before it can see the other's row, leaving the gift
    /// unlinked. Linking again after commit closes that gap: whichever job links last runs after
    /// both commits.
    /// </summary>
    private async Task LinkGiftsToMembershipsAsync(StripeEventEffects effects, CancellationToken ct)
    {
        var subscriptions = effects.Donations.Select(d => d.StripeSubscriptionId)
            .Concat(effects.Memberships.Select(m => m.StripeSubscriptionId))
            .OfType<string>()
            .Distinct();
        foreach (var subscription in subscriptions)
            await db.Donations
                .Where(d => d.StripeSubscriptionId == subscription && d.MembershipId == null
                            && db.Memberships.Any(m => m.StripeSubscriptionId == subscription))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.MembershipId, d => db.Memberships
                    .Where(m => m.StripeSubscriptionId == subscription)
                    .Select(m => (long?)m.Id)
                    .First()), ct);
    }

    private async Task RecordFailureAsync(string eventId, string error, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var message = error.Length > 4000 ? error[..4000] : error;
        await db.StripeEvents.Where(e => e.Id == eventId).ExecuteUpdateAsync(s => s
            .SetProperty(e => e.Status, StripeEventStatus.Failed)
            .SetProperty(e => e.Error, message)
            .SetProperty(e => e.Attempts, e => e.Attempts + 1), ct);
    }

    /// <summary>
    /// Events that failed only because something was missing (see <see cref="StripeEventNotReadyException"/>)
    /// and mention an id this event just created go back to the dispatcher now instead of waiting
    /// for Hangfire's next retry, which may be minutes away.
    /// </summary>
    private async Task WakeWaitingEventsAsync(IReadOnlyCollection<string> stripeIds, CancellationToken ct)
    {
        var woken = 0;
        foreach (var id in stripeIds)
        {
            var quoted = $"\"{id}\"";
            woken += await db.StripeEvents
                .Where(e => e.Status == StripeEventStatus.Failed
                            && e.Error != null && e.Error.StartsWith(StripeEventNotReadyException.ErrorPrefix)
                            && e.Payload.Contains(quoted))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(e => e.Status, StripeEventStatus.Received)
                    .SetProperty(e => e.EnqueuedAt, (DateTime?)null), ct);
        }
        if (woken > 0) signal.Notify();
    }
}
