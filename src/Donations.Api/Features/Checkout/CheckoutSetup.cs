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
        services.AddScoped<CreateCheckoutSession>();
        services.AddRateLimiter(o => o.AddPolicy<string, CheckoutClientLimit>(CheckoutClientLimit.Name));
        return builder;
    }

    public static WebApplication MapCheckout(this WebApplication app)
    {
        app.UseRateLimiter();

        var pages = app.MapGroup("/donate").AllowAnonymous();
        pages.MapGet("", DonateForm.Show);
        pages.MapPost("", DonateForm.Submit).RequireRateLimiting(CheckoutClientLimit.Name).DisableAntiforgery();
        pages.MapGet("/thank-you", ReturnPages.ThankYou);
        pages.MapGet("/canceled", ReturnPages.Canceled);

        app.MapPost("/api/checkout", CheckoutApi.Create).RequireRateLimiting(CheckoutClientLimit.Name).AllowAnonymous();
        return app;
    }
}
