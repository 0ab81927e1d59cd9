using Stripe;
using BillingPortal = Stripe.BillingPortal;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// Opens a Stripe billing portal session and sends the browser there (303), or, when Stripe
/// refuses or cannot be reached, shows a page saying nothing changed (502). The one way the portal
/// goes to Stripe's billing page: from the account page (<see cref="OpenBillingPortal"/>) and from
/// the card link in an email (<see cref="OpenPaymentMethodUpdate"/>), which differ only in the
/// session they ask for and the words around it.
/// </summary>
public static class BillingPortalSessions
{
    /// <param name="what">What is opened, in the log and on the refusal page: "billing page", "card update page".</param>
    /// <param name="afterRefusal">The refusal page's closing HTML (what to do next).</param>
    public static async Task<IResult> RedirectAsync(HttpContext http, IStripeClient stripe, BillingPortal.SessionCreateOptions options,
        long donorId, string what, string afterRefusal, string organization, ILogger log)
    {
        try
        {
            var session = await new BillingPortal.SessionService(stripe).CreateAsync(options, cancellationToken: http.RequestAborted);
            log.LogInformation("Stripe {What} session {SessionId} opened for donor {DonorId}", what, session.Id, donorId);
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            http.Response.Headers.Location = session.Url;
            return Results.StatusCode(StatusCodes.Status303SeeOther);
        }
        catch (StripeException ex)
        {
            log.LogWarning(ex, "Stripe refused a {What} session for donor {DonorId}: {StripeCode}", what, donorId, ex.StripeError?.Code);
            return PortalPage.Render(http, organization, "Stripe is not answering", $"""
                <p class="notice error" role="alert">We could not open the {what} at Stripe just now.
                Nothing has changed. {afterRefusal}
                """, StatusCodes.Status502BadGateway);
        }
    }
}
