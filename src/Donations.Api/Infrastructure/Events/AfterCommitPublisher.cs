using System.Collections.Concurrent;

namespace Donations.Api.Infrastructure.Events;

/// <summary>
/// Hands committed <see cref="IDomainEvent"/>s to every <see cref="IAfterCommit{TEvent}"/> in the
/// caller's scope (so subscribers share its DbContext). Kinds go in the order each first appears,
/// subscribers of a kind in registration order; an event raised twice is handed over once. Call
/// <see cref="PublishAsync"/> only after the commit that made the facts true: subscribers queue jobs
/// that read them. <see cref="PrepareAsync"/> is its counterpart before that commit.
/// </summary>
public sealed class AfterCommitPublisher(IServiceProvider services)
{
    private delegate Task Dispatch(IServiceProvider services, IEnumerable<IDomainEvent> events, CancellationToken ct);

    private static readonly ConcurrentDictionary<Type, Dispatch> AfterByKind = new();
    private static readonly ConcurrentDictionary<Type, Dispatch> BeforeByKind = new();

    public async Task PublishAsync(IEnumerable<IDomainEvent> events, CancellationToken ct)
    {
        foreach (var kind in events.Distinct().GroupBy(e => e.GetType()))
            await AfterByKind.GetOrAdd(kind.Key, k => DispatcherFor(nameof(DispatchAfterAsync), k))(services, kind, ct);
    }

    /// <summary>
    /// Hands facts about to be committed to every <see cref="IBeforeCommit{TEvent}"/>, which add their
    /// rows to the same unit of work. Call after the handler, before the <c>SaveChanges</c> that commits it.
    /// </summary>
    public async Task PrepareAsync(IEnumerable<IDomainEvent> events, CancellationToken ct)
    {
        foreach (var kind in events.Distinct().GroupBy(e => e.GetType()))
            await BeforeByKind.GetOrAdd(kind.Key, k => DispatcherFor(nameof(DispatchBeforeAsync), k))(services, kind, ct);
    }

    private static Dispatch DispatcherFor(string method, Type kind) =>
        typeof(AfterCommitPublisher).GetMethod(method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(kind).CreateDelegate<Dispatch>();

    private static async Task DispatchAfterAsync<TEvent>(IServiceProvider services, IEnumerable<IDomainEvent> events, CancellationToken ct)
        where TEvent : IDomainEvent
    {
        var typed = events.Cast<TEvent>().ToList();
        foreach (var subscriber in services.GetServices<IAfterCommit<TEvent>>())
            await subscriber.AfterCommitAsync(typed, ct);
    }

    private static async Task DispatchBeforeAsync<TEvent>(IServiceProvider services, IEnumerable<IDomainEvent> events, CancellationToken ct)
        where TEvent : IDomainEvent
    {
        var subscribers = services.GetServices<IBeforeCommit<TEvent>>().ToList();
        if (subscribers.Count == 0) return;
        var typed = events.Cast<TEvent>().ToList();
        foreach (var subscriber in subscribers)
            await subscriber.BeforeCommitAsync(typed, ct);
    }
}
