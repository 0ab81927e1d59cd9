using Donations.Api.Infrastructure.Events;
using Donations.Data.Entities;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// A subscription event was applied to the membership (tracked entity). A new membership's id is
/// assigned by the commit: a before-commit subscriber refers to it by navigation, not by id.
/// </summary>
public sealed record MembershipChanged(Membership Membership) : IDomainEvent;

/// <summary>
/// A renewal payment failed, whether or not it changed the membership: the donor hears once per
/// invoice. <paramref name="FailedAt"/> is Stripe's time of the event (each retry is another).
/// </summary>
public sealed record RenewalFailed(Membership Membership, string InvoiceId, DateTime FailedAt) : IDomainEvent;
