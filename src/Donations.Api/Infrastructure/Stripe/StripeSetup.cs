using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using Stripe;

namespace Donations.Api.Infrastructure.Stripe;

public static class StripeSetup
{
    public static WebApplicationBuilder AddDonationsStripe(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient("stripe", c => c.Timeout = TimeSpan.FromSeconds(30));
        // One client for the process, from configuration; never the static StripeConfiguration.
        builder.Services.AddSingleton<IStripeClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StripeOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient("stripe");
            return new StripeClient(new StripeClientOptions
            {
                // Without a key every call fails with Stripe's own "no API key" error, which is
                // what an unconfigured development box should see.
                ApiKey = string.IsNullOrWhiteSpace(options.SecretKey) ? "sk_unconfigured" : options.SecretKey,
                ApiBase = options.ApiBase.TrimEnd('/'),
                HttpClient = new SystemNetHttpClient(http, maxNetworkRetries: 2),
            });
        });
        builder.Services.AddHostedService<StripeConfigurationReport>();
        return builder;
    }
}

/// <summary>Says at start-up, once and plainly, when Stripe is not configured.</summary>
internal sealed class StripeConfigurationReport(IOptions<StripeOptions> options, ILogger<StripeConfigurationReport> log) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        if (!options.Value.IsConfigured)
            log.LogWarning("Stripe is not configured: set Stripe:SecretKey and Stripe:WebhookSecrets. " +
                           "Checkout and webhooks will answer with an error until then.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
