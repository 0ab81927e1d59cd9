using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Staff (Admin) hand a Failed inbox row back to the dispatcher, after fixing what made it fail.
/// A row of another API version is first re-rendered at the pinned version from Stripe
/// (<see cref="PinnedEventCopy"/>): retrying its old payload could only fail again.
/// </summary>
public sealed class RetryStripeEvent(DonationsDbContext db, PinnedEventCopy pinned, InboxSignal signal, ILogger<RetryStripeEvent> log)
{
    public enum Outcome { Retried, NotFound, NotFailed, CannotFetch }

    public async Task<Outcome> RunAsync(string eventId, string? staff, CancellationToken ct)
    {
        var row = await db.StripeEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == eventId, ct);
        if (row is null) return Outcome.NotFound;
        if (row.Status != StripeEventStatus.Failed) return Outcome.NotFailed;

        var (payload, version) = (row.Payload, row.ApiVersion);
        if (!StripeApiVersion.IsSupported(version))
        {
            if (await pinned.CreateAsync(row.Payload, ct) is not { } copy) return Outcome.CannotFetch;
            (payload, version) = (copy, StripeApiVersion.Pinned);
        }
        var retried = await db.StripeEvents.Where(e => e.Id == eventId && e.Status == StripeEventStatus.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Payload, payload)
                .SetProperty(e => e.ApiVersion, version)
                .SetProperty(e => e.Status, StripeEventStatus.Received)
                .SetProperty(e => e.EnqueuedAt, (DateTime?)null)
                .SetProperty(e => e.Error, (string?)null), ct);
        if (retried == 0) return Outcome.NotFailed;
        signal.Notify();
        log.LogInformation("Stripe event {EventId} ({EventType}) retried by staff {Staff}", eventId, row.Type, staff);
        return Outcome.Retried;
    }
}
