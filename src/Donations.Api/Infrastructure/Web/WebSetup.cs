using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Donations.Api.Infrastructure.Web;

public static class WebSetup
{
    public static WebApplicationBuilder AddDonationsWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        // TryAdd: a clock registered earlier (a hosting startup in tests) is kept.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOpenApi();
        // Features add their policies; the middleware runs once, here, after forwarded headers
        // have set the client's real address.
        builder.Services.AddRateLimiter(o => o.RejectionStatusCode = StatusCodes.Status429TooManyRequests);
        builder.AddTrustedForwardedHeaders();
        builder.Services.AddSecurityHeaders(builder.Environment);
        // The middleware below needs these; features add their schemes, policies and cookie settings.
        builder.Services.AddAuthentication();
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery();
        return builder;
    }

    public static WebApplication UseDonationsWeb(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseSecurityHeaders(app.Environment);
        app.UseExceptionHandler();
        // Routing here, not first: an endpoint marked ShortCircuit (the Stripe webhook, signed and
        // sessionless) runs from here with the headers and the exception handler above, and skips
        // every middleware after this line, including any Program.cs adds later: a global limit or
        // request logging meant for the webhook too belongs above.
        app.UseRouting();
        app.UseStatusCodePages();
        // Every limit is per client address, so refusing a flood before any cookie is read costs least.
        app.UseRateLimiter();
        // Once for every feature (staff and donor cookies are separate schemes, chosen by policy).
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseCrossSiteRequestCheck();
        app.UseAntiforgery();
        // The JSON API's description, for developers; not published in production.
        if (app.Environment.IsDevelopment()) app.MapOpenApi();
        return app;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }
}
