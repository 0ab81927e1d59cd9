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
    public static IServiceCollection AddAfterCommit<TSubscriber>(this IServiceCollection services) where TSubscriber : class
    {
        services.AddDomainEvents();
        services.AddScoped<TSubscriber>();
        foreach (var contract in typeof(TSubscriber).GetInterfaces()
                     .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAfterCommit<>)))
            services.AddScoped(contract, sp => sp.GetRequiredService<TSubscriber>());
        return services;
    }
}
