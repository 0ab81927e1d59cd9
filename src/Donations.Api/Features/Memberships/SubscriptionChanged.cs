using Donations.Api.Infrastructure.Data;
using Donations.Api.Features.Donations;
using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Stripe;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// <c>customer.subscription.created|updated|deleted</c>: the membership mirrors the subscription
/// as of the newest event applied (<see cref="Membership.LastEventAt"/>); an older event changes
/// nothing. Stripe's timestamps are whole seconds, so on a tie a "created" never overrides and an
/// "updated" never revives a canceled membership. A subscription created elsewhere (the Dashboard,
/// a print subscription) lacks the donate flow's metadata and is no membership.
/// </summary>
public sealed class SubscriptionChanged(DonationsDbContext db, DonorDirectory donors, MembershipTiers tiers,
    TimeProvider time, ILogger<SubscriptionChanged> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } =
        ["customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var subscription = (Subscription)stripeEvent.Data.Object;
        var now = time.GetUtcNow().UtcDateTime;
        var membership = db.Memberships.Tracked().FirstOrDefault(m => m.StripeSubscriptionId == subscription.Id)
                         ?? await db.Memberships.SingleOrDefaultAsync(m => m.StripeSubscriptionId == subscription.Id, ct);
        if (membership is not null && IsStale(membership, stripeEvent))
        {
            log.LogInformation("Subscription {SubscriptionId}: {EventType} of {Created:o} is older than the state applied at {Applied:o}",
                subscription.Id, stripeEvent.Type, stripeEvent.Created, membership.LastEventAt);
            return StripeEventOutcome.Ignored;
        }

        if (membership is null && !DonateFlowMetadata.IsOurs(subscription.Metadata))
        {
            log.LogInformation("Subscription {SubscriptionId} is not a membership: {Reason}", subscription.Id, DonateFlowMetadata.NotOurs);
            return effects.Ignore(DonateFlowMetadata.NotOurs);
        }
        if (membership is null)
        {
            var donor = await donors.FindByCustomerAsync(subscription.CustomerId, ct)
                        ?? (subscription.Customer is { Email: { } email } customer
                            ? await donors.FindOrAddAsync(new DonorIdentity(email, customer.Name, customer.Id), subscription.Created, ct) : null)
                        ?? throw new StripeEventNotReadyException($"the donor of Stripe customer {subscription.CustomerId}");
            membership = new Membership
            {
                StripeSubscriptionId = subscription.Id,
                Donor = donor,
                Status = subscription.Status,
                Currency = subscription.Currency,
                CreatedAt = now,
            };
            db.Memberships.Add(membership);
        }
        else membership.UpdatedAt = now;

        var items = subscription.Items?.Data ?? [];
        membership.StripeCustomerId = subscription.CustomerId;
        membership.Status = subscription.Status;
        membership.Currency = subscription.Currency.ToLowerInvariant();
        membership.MonthlyAmount = items.Sum(i => (i.Price?.UnitAmount ?? 0) * Math.Max(i.Quantity, 1));
        membership.Interval = items.Select(i => i.Price?.Recurring?.Interval).FirstOrDefault(i => i is not null) ?? "month";
        var gift = GiftMetadata.From(subscription.Metadata);
        membership.FeeAmount = Math.Min(gift.FeeAmount, membership.MonthlyAmount);
        // The tier follows the gift without its covered fee, on its monthly equivalent.
        membership.Tier = tiers.For(MembershipTiers.MonthlyEquivalent(membership.MonthlyAmount - membership.FeeAmount, membership.Interval),
            membership.Currency)?.Name;
        membership.Paused = subscription.PauseCollection is not null;
        membership.PausedUntil = subscription.PauseCollection?.ResumesAt;
        membership.BenefitsDeclined = gift.BenefitsDeclined;
        if (subscription.CancellationDetails?.Comment is { Length: > 0 } reason)
            membership.CancellationReason = reason.Length > 500 ? reason[..500] : reason;
        membership.CancelAtPeriodEnd = subscription.CancelAtPeriodEnd;
        membership.CurrentPeriodEnd = items.Count == 0 ? null : items.Max(i => i.CurrentPeriodEnd);
        membership.StartedAt = subscription.StartDate;
        membership.CanceledAt = subscription.EndedAt ?? subscription.CanceledAt;
        membership.StripeCancellationReason = subscription.CancellationDetails?.Reason;
        // When it stopped, kept while it stays stopped: later events (a metadata edit on an unpaid
        // subscription) must not move the date win-back counts from.
        membership.LapsedAt = MembershipLapses.Stopped.Contains(subscription.Status)
            ? membership.LapsedAt ?? subscription.EndedAt ?? stripeEvent.Created
            : null;
        membership.LastEventAt = stripeEvent.Created;

        // Gifts recorded before their subscription was known join it now.
        var unlinked = await db.Donations
            .Where(d => d.StripeSubscriptionId == subscription.Id && d.MembershipId == null)
            .ToListAsync(ct);
        foreach (var d in unlinked.Concat(db.Donations.Tracked().Where(d => d.StripeSubscriptionId == subscription.Id)).Distinct())
            d.Membership ??= membership;

        effects.Raise(new MembershipChanged(membership));
        effects.Created(subscription.Id, subscription.CustomerId);
        log.LogInformation("Membership for subscription {SubscriptionId} is {Status} ({Tier})", subscription.Id, membership.Status, membership.Tier);
        return StripeEventOutcome.Processed;
    }

    private static bool IsStale(Membership m, Event e) =>
        e.Created < m.LastEventAt
        || (e.Created == m.LastEventAt && e.Type switch
        {
            "customer.subscription.created" => true,
            "customer.subscription.updated" => m.Status == "canceled",
            _ => false,
        });
}
