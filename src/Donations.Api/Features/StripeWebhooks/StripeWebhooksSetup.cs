using Donations.Api.Features.Donations;
using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Configuration;
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
        services.AddScoped<ProcessStripeEvent>();
        services.AddScoped<SweepStripeInbox>();
        services.AddScoped<ReconcileStripeEvents>();
        services.AddScoped<PinnedEventCopy>();
        services.AddScoped<RetryStripeEvent>();
        services.AddSingleton<IRecurringJobDefinition, StripeRecurringJobs>();

        services.AddScoped<DonorDirectory>();
        services.AddScoped<DonationLedger>();
        services.AddScoped<DonationLookup>();
        services.AddScoped<InvoicePaymentLinks>();
        services.AddScoped<PaymentOrigin>();
        services.AddSingleton<MembershipTiers>();

        // One handler per event type (ProcessStripeEvent refuses two handlers for one type).
        services.AddScoped<IStripeEventHandler, CheckoutSessionCompleted>();
        services.AddScoped<IStripeEventHandler, CheckoutAsyncPaymentFailed>();
        services.AddScoped<IStripeEventHandler, InvoicePaid>();
        services.AddScoped<IStripeEventHandler, ChargeRefunded>();
        services.AddScoped<IStripeEventHandler, ChargeDisputed>();
        services.AddScoped<IStripeEventHandler, SubscriptionChanged>();
        services.AddScoped<IStripeEventHandler, InvoicePaymentFailed>();

        return builder;
    }

    public static WebApplication MapStripeWebhooks(this WebApplication app)
    {
        app.MapPost("/stripe/webhook", ReceiveStripeWebhook.HandleAsync)
            .WithName("StripeWebhook")
            .DisableAntiforgery();
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
