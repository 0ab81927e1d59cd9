using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Events;

namespace Donations.Api.Features.Donations;

/// <summary>Gifts from Stripe's payment events: the ledger, its lookups, and the handlers that feed it.</summary>
public static class DonationsSetup
{
    public static WebApplicationBuilder AddDonations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<DonorDirectory>();
        services.AddScoped<DonationLedger>();
        services.AddScoped<DelayedCheckouts>();
        services.AddScoped<DonationLookup>();
        services.AddScoped<InvoicePaymentLinks>();
        services.AddScoped<PaymentOrigin>();
        services.AddAfterCommit<GiftMetrics>();

        services.AddStripeEventHandler<CheckoutSessionCompleted>();
        services.AddStripeEventHandler<CheckoutAsyncPaymentFailed>();
        services.AddStripeEventHandler<InvoicePaid>();
        services.AddStripeEventHandler<ChargeRefunded>();
        services.AddStripeEventHandler<ChargeDisputed>();
        return builder;
    }
}
