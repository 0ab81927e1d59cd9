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

/// <summary>
/// Adds to the unit of work that states a fact what must be true exactly when it is (a history
/// row of a membership's amounts, in the order the changes commit): called after the handlers of
/// the unit of work (one event, or a group's) and before the <c>SaveChanges</c> that commits them,
/// in the caller's scope. Writes only through the shared DbContext and never saves; if the commit
/// fails, nothing of it is kept. A failure here fails the event, as the handler's would.
/// </summary>
public interface IBeforeCommit<in TEvent> where TEvent : IDomainEvent
{
    Task BeforeCommitAsync(IReadOnlyList<TEvent> events, CancellationToken ct);
}
