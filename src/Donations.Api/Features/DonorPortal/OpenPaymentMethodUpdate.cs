using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;
using BillingPortal = Stripe.BillingPortal;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>GET /manage/card/{token}</c>, the link in a payment-failed or card-expiring email: one click
/// opens Stripe's billing portal straight on the payment-method update
/// (<c>flow_data[type]=payment_method_update</c>) for the customer the link was issued for, without
/// signing in. The token is a <see cref="PaymentMethodLinks"/> one: a sign-in link opens nothing
/// here, and this link signs no one in. A GET because the email is the whole journey; opening it
/// twice (or a mail scanner opening it) only makes another short-lived portal session for the same card.
/// </summary>
public static class OpenPaymentMethodUpdate
{
    public static async Task<IResult> Handle(
        string token, HttpContext http, DonationsDbContext db, IStripeClient stripe, TimeProvider clock, PortalRateLimits limits,
        IOptions<DonationsOptions> donations, IOptions<OrganizationOptions> org, ILoggerFactory logs)
    {
        var organization = org.Value.Name;
        http.Response.Headers.CacheControl = "no-store";
        if (!await limits.AllowRedemptionFromAsync(http))
            return PortalPage.Render(http, organization, "Please wait a little",
                "<p class=\"notice error\" role=\"alert\">Too many attempts from here. Please wait a few minutes.</p>",
                StatusCodes.Status429TooManyRequests);
        if (!SignInTokens.LooksValid(token)) return Expired(http, organization, StatusCodes.Status404NotFound);

        var hash = SignInTokens.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var link = await db.DonorSignInTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.Purpose == DonorSignInToken.PaymentMethodUpdatePurpose && t.StripeCustomerId != null)
            .Select(t => new { t.Id, t.DonorId, t.StripeCustomerId, Usable = t.ExpiresAt > now })
            .SingleOrDefaultAsync(http.RequestAborted);
        if (link is null) return Expired(http, organization, StatusCodes.Status404NotFound);
        if (!link.Usable) return Expired(http, organization, StatusCodes.Status410Gone);

        var options = new BillingPortal.SessionCreateOptions
        {
            Customer = link.StripeCustomerId,
            ReturnUrl = $"{donations.Value.PublicBaseUrl.TrimEnd('/')}/manage",
            FlowData = new BillingPortal.SessionFlowDataOptions
            {
                Type = "payment_method_update",
                AfterCompletion = new BillingPortal.SessionFlowDataAfterCompletionOptions
                {
                    Type = "hosted_confirmation",
                    HostedConfirmation = new BillingPortal.SessionFlowDataAfterCompletionHostedConfirmationOptions
                    {
                        CustomMessage = $"Thank you. Your monthly gift to {organization} will use this card from now on.",
                    },
                },
            },
        };
        return await BillingPortalSessions.RedirectAsync(http, stripe, options, link.DonorId, "card update page",
            "Please try the link again in a few minutes.</p>", organization, logs.CreateLogger(typeof(OpenPaymentMethodUpdate)));
    }

    private static IResult Expired(HttpContext http, string organization, int status) =>
        PortalPage.Render(http, organization, "This link no longer works", $"""
            <p class="notice error" role="alert">This link to update your card has expired.
            Each one works for {(int)PaymentMethodLinks.LinkLifetime.TotalDays} days.</p>
            <p>Enter your email address and we will send you a link to sign in, where you can update your card.</p>
            {PortalPage.EmailForm(http)}
            """, status);
}
