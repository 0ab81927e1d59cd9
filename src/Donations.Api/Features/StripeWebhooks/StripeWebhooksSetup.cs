using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.StripeWebhooks;

public static class StripeWebhooksSetup
{
    public static WebApplicationBuilder AddStripeWebhooks(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<InboxSignal>();
        services.AddScoped<StripeInbox>();
        services.AddHostedService<InboxDispatcher>();
        services.AddScoped<StripeEventProcessor>();
        services.AddScoped<ProcessStripeEvent>();
        services.AddScoped<ProcessStripeEventBatch>();
        services.AddScoped<SweepStripeInbox>();
        services.AddScoped<ReconcileStripeEvents>();
        services.AddScoped<PinnedEventCopy>();
        services.AddScoped<RetryStripeEvent>();
        services.AddSingleton<IRecurringJobDefinition, StripeRecurringJobs>();
        services.AddDomainEvents();
        return builder;
    }

    /// <summary>
    /// A feature's handler for the event types it names. One handler per event type: the
    /// processor refuses two for one type.
    /// </summary>
    public static IServiceCollection AddStripeEventHandler<THandler>(this IServiceCollection services)
        where THandler : class, IStripeEventHandler =>
        services.AddScoped<IStripeEventHandler, THandler>();

    public static WebApplication MapStripeWebhooks(this WebApplication app)
    {
        // Straight from routing (WebSetup puts routing after the security headers and the exception
        // handler): the delivery carries no session and is authenticated by its signature alone, so
        // the rate limiter, authentication, authorization, the cross-site check and antiforgery have
        // nothing to decide for it, and skipping them was a seventh of the endpoint's CPU.
        app.MapPost("/stripe/webhook", ReceiveStripeWebhook.HandleAsync)
            .WithName("StripeWebhook")
            .DisableAntiforgery()
            .ShortCircuit();
        return app;
    }
}

internal sealed class StripeRecurringJobs(IOptions<StripeOptions> stripe) : IRecurringJobDefinition
{
    public void Register(IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<SweepStripeInbox>(SweepStripeInbox.RecurringJobId, JobQueues.Webhooks, j => j.RunAsync(), Cron.Minutely());
        jobs.AddOrUpdate<ReconcileStripeEvents>(ReconcileStripeEvents.RecurringJobId, JobQueues.Default, j => j.RunAsync(),
            stripe.Value.ReconcileCron);
    }
}
