using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Donations.Api.Infrastructure.Events;

public static class EventsSetup
{
    public static IServiceCollection AddDomainEvents(this IServiceCollection services)
    {
        services.TryAddScoped<AfterCommitPublisher>();
        services.TryAddScoped<AfterCommitBatch>();
        return services;
    }

    /// <summary>Registers <typeparamref name="TSubscriber"/> for every <see cref="IAfterCommit{TEvent}"/> it implements.</summary>
    public static IServiceCollection AddAfterCommit<TSubscriber>(this IServiceCollection services) where TSubscriber : class =>
        services.AddSubscriber<TSubscriber>(typeof(IAfterCommit<>));

    /// <summary>Registers <typeparamref name="TSubscriber"/> for every <see cref="IBeforeCommit{TEvent}"/> it implements.</summary>
    public static IServiceCollection AddBeforeCommit<TSubscriber>(this IServiceCollection services) where TSubscriber : class =>
        services.AddSubscriber<TSubscriber>(typeof(IBeforeCommit<>));

    private static IServiceCollection AddSubscriber<TSubscriber>(this IServiceCollection services, Type contractKind) where TSubscriber : class
    {
        services.AddDomainEvents();
        services.TryAddScoped<TSubscriber>();
        foreach (var contract in typeof(TSubscriber).GetInterfaces()
                     .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == contractKind))
            services.AddScoped(contract, sp => sp.GetRequiredService<TSubscriber>());
        return services;
    }
}
