using Donations.Api.Infrastructure.Events;
using Stripe;

namespace Donations.Api.Features.StripeWebhooks;

public enum StripeEventOutcome { Processed, Ignored }

/// <summary>
/// Applies one kind of Stripe event to the database through the scoped DbContext, without saving:
/// <see cref="StripeEventProcessor"/> saves the changes together with the inbox row's "processed"
/// marker, re-runs the handler if it lost a race for a unique key, and publishes the raised events
/// after the commit. Several events about different things may share one DbContext and one save
/// (<see cref="EventGroup"/>): a handler must find what it may have created or changed for an
/// earlier event in the change tracker first (<c>DbSet.Tracked()</c>, <see cref="Infrastructure.Data.TrackedEntities"/>;
/// what it creates it adds to its set), never only in the database, and
/// must write nothing outside the DbContext that a re-run would repeat. Each feature registers its own handlers (<see cref="StripeWebhooksSetup.AddStripeEventHandler{THandler}"/>).
/// </summary>
public interface IStripeEventHandler
{
    IReadOnlyCollection<string> EventTypes { get; }
    Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct);
}

/// <summary>
/// What a handler's work means beyond its own feature, for after the commit: the domain events it
/// raised (published to their subscribers once the event's changes are saved) and the Stripe ids
/// it brought into existence (events waiting for one of them are retried at once).
/// </summary>
public sealed class StripeEventEffects
{
    private readonly List<IDomainEvent> _events = [];
    private readonly HashSet<string> _stripeIds = [];

    public IReadOnlyList<IDomainEvent> Events => _events;
    public IReadOnlyCollection<string> StripeIds => _stripeIds;

    public void Raise(IDomainEvent domainEvent) => _events.Add(domainEvent);

    /// <summary>Why the event changed nothing, kept on the inbox row for staff (e.g. not one of our payments).</summary>
    public string? IgnoredReason { get; private set; }

    public StripeEventOutcome Ignore(string reason)
    {
        IgnoredReason = reason;
        return StripeEventOutcome.Ignored;
    }

    public void Created(params string?[] stripeIds)
    {
        foreach (var id in stripeIds)
            if (!string.IsNullOrEmpty(id)) _stripeIds.Add(id);
    }
}

/// <summary>
/// The event refers to something not recorded yet (a refund before its payment, a subscription
/// before its customer). The job fails and Hangfire retries it; it is also retried as soon as an
/// event creating the missing thing is processed.
/// </summary>
public sealed class StripeEventNotReadyException(string waitingFor)
    : Exception($"{ErrorPrefix} {waitingFor}; retried when it arrives")
{
    public const string ErrorPrefix = "Waiting for";
}
