using System.Collections.Concurrent;

namespace Donations.Api.Infrastructure.Events;

/// <summary>
/// Hands committed <see cref="IDomainEvent"/>s to every <see cref="IAfterCommit{TEvent}"/> in the
/// caller's scope (so subscribers share its DbContext). Kinds go in the order each first appears,
/// subscribers of a kind in registration order; an event raised twice is handed over once. Call
/// only after the commit that made the facts true: subscribers queue jobs that read them.
/// </summary>
public sealed class AfterCommitPublisher(IServiceProvider services)
{
    private delegate Task Dispatch(IServiceProvider services, IEnumerable<IDomainEvent> events, CancellationToken ct);

    private static readonly ConcurrentDictionary<Type, Dispatch> ByKind = new();

    public async Task PublishAsync(IEnumerable<IDomainEvent> events, CancellationToken ct)
    {
        foreach (var kind in events.Distinct().GroupBy(e => e.GetType()))
            await ByKind.GetOrAdd(kind.Key, DispatcherFor)(services, kind, ct);
    }

    private static Dispatch DispatcherFor(Type kind) =>
        typeof(AfterCommitPublisher).GetMethod(nameof(DispatchAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(kind).CreateDelegate<Dispatch>();

    private static async Task DispatchAsync<TEvent>(IServiceProvider services, IEnumerable<IDomainEvent> events, CancellationToken ct)
        where TEvent : IDomainEvent
    {
        var typed = events.Cast<TEvent>().ToList();
        foreach (var subscriber in services.GetServices<IAfterCommit<TEvent>>())
            await subscriber.AfterCommitAsync(typed, ct);
    }
}
