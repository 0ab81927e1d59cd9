using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Web;
using Donations.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// The donor portal (<c>/manage</c>): ask for a sign-in link by email, follow it to a one-hour
/// session that shows gifts, receipts, statements and the monthly gift, and go on to Stripe's
/// billing portal from there.
/// </summary>
public static class DonorPortalSetup
{
    public static WebApplicationBuilder AddDonorPortal(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAntiforgery();
        services.Configure<CrossSiteRequestOptions>(o => o.SessionCookies.Add(DonorAuthentication.CookieName));
        services.AddAuthentication().AddCookie(DonorAuthentication.Scheme, DonorAuthentication.ConfigureCookie);
        services.AddAuthorizationBuilder().AddPolicy(DonorAuthentication.Policy, p => p
            .AddAuthenticationSchemes(DonorAuthentication.Scheme)
            .RequireAuthenticatedUser());
        services.AddSingleton<PortalRateLimits>();
        services.AddScoped<SendSignInLink>();
        services.AddSingleton<SignInRequests>();
        services.AddScoped<IPaymentMethodLinks, PaymentMethodLinks>();
        return builder;
    }

    public static WebApplication MapDonorPortal(this WebApplication app)
    {
        var portal = app.MapGroup("/manage").ExcludeFromDescription();
        portal.MapGet("/", RequestSignInLink.Show);
        portal.MapPost("/", RequestSignInLink.Submit).WithFormCheck();
        // Literal segments (account, billing-portal) take precedence over this parameter.
        portal.MapGet("/{token}", RedeemSignInLink.Show);
        portal.MapPost("/{token}", RedeemSignInLink.Redeem).WithFormCheck();
        portal.MapGet("/card/{token}", OpenPaymentMethodUpdate.Handle);

        var signedIn = portal.MapGroup("").RequireAuthorization(DonorAuthentication.Policy);
        signedIn.MapGet("/account", Account.Show);
        signedIn.MapGet("/receipts/{number}.pdf", DownloadReceipt.Handle);
        signedIn.MapPost("/billing-portal", OpenBillingPortal.Handle).WithFormCheck();
        signedIn.MapPost("/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync(DonorAuthentication.Scheme);
            return Results.Redirect("/manage");
        }).WithFormCheck();
        return app;
    }

    // The portal checks its own forms (AntiforgeryCheck) so that a failed check is a page, not a bare 400.
    private static RouteHandlerBuilder WithFormCheck(this RouteHandlerBuilder endpoint) =>
        endpoint.DisableAntiforgery().AddEndpointFilter<AntiforgeryCheck>().WithMetadata(new ValidatesAntiforgeryItself());
}
