namespace Donations.Api.Infrastructure.Events;

/// <summary>
/// A fact one feature has committed and others may react to (a gift was recorded, a membership
/// changed). Declared by the feature that states the fact; subscribers depend on it, never the
/// other way round.
/// </summary>
public interface IDomainEvent;

/// <summary>
/// Reacts to committed facts of one kind, given together as they were published (one Stripe event's
/// worth, or a batch's). Registered in DI by the reacting feature: the publisher never names it.
/// </summary>
public interface IAfterCommit<in TEvent> where TEvent : IDomainEvent
{
    Task AfterCommitAsync(IReadOnlyList<TEvent> events, CancellationToken ct);
}
