using Donations.Api.Infrastructure.Events;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// An inbox row was applied (Processed or Ignored) and committed, whatever its type and whether it
/// changed anything: for subscribers that care about what Stripe sent rather than what it changed.
/// </summary>
public sealed record StripeEventApplied(string EventId, string Payload) : IDomainEvent;
