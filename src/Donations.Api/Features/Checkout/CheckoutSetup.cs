namespace Donations.Api.Features.Checkout;

public static class CheckoutSetup
{
    public static WebApplicationBuilder AddCheckout(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CheckoutRateLimitOptions>().BindConfiguration(CheckoutRateLimitOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DonationRules>();
        services.AddSingleton<CheckoutEmailLimit>();
        services.AddSingleton<Pseudonyms>();
        services.AddSingleton<CheckoutMetrics>();
        services.AddSingleton<SessionLookups>();
        services.AddScoped<CreateCheckoutSession>();
        services.AddRateLimiter(o => o.AddPolicy<string, CheckoutClientLimit>(CheckoutClientLimit.Name));
        return builder;
    }

    public static WebApplication MapCheckout(this WebApplication app)
    {
        // Reader-facing HTML pages: not part of the JSON API's OpenAPI document.
        var pages = app.MapGroup("/donate").AllowAnonymous().ExcludeFromDescription();
        pages.MapGet("", DonateForm.Show);
        // No antiforgery token: the form carries no credentials and only starts a payment page
        // for whoever submits it; the rate limits are the defence against abuse.
        pages.MapPost("", DonateForm.Submit).RequireRateLimiting(CheckoutClientLimit.Name).DisableAntiforgery();
        pages.MapGet("/thank-you", ReturnPages.ThankYou);
        pages.MapGet("/canceled", ReturnPages.Canceled);

        app.MapPost("/api/checkout", CheckoutApi.Create).RequireRateLimiting(CheckoutClientLimit.Name).AllowAnonymous()
            .Accepts<CheckoutApi.Request>("application/json")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Start a Stripe Checkout Session for a one-time or monthly gift (amount in minor units).");
        return app;
    }
}
