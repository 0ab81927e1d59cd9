using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;
using BillingPortal = Stripe.BillingPortal;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/billing-portal</c>: opens a Stripe billing portal session for the signed-in
/// donor's customer and sends the browser there (303). Stripe's page changes the amount, the
/// card, or cancels; the resulting subscription events come back through the webhook.
///
/// Only a customer whose payments are recorded under this donor is opened: the customer of the
/// donor's monthly gifts, or, with none, the customer that founded the record. Addresses are typed
/// at Checkout and not verified, so two payers can share one; when the donor's monthly gifts
/// were paid by more than one customer, none is picked silently.
/// </summary>
public static class OpenBillingPortal
{
    public static async Task<IResult> Handle(
        HttpContext http, DonationsDbContext db, IStripeClient stripe,
        IOptions<DonationsOptions> donations, IOptions<OrganizationOptions> org, ILoggerFactory logs)
    {
        var donorId = DonorAuthentication.DonorId(http.User);
        var payers = await db.Memberships.AsNoTracking()
            .Where(m => m.DonorId == donorId && m.StripeCustomerId != null)
            .Select(m => m.StripeCustomerId!).Distinct().ToListAsync(http.RequestAborted);
        if (payers.Count > 1)
        {
            logs.CreateLogger(typeof(OpenBillingPortal)).LogWarning(
                "Billing portal refused for donor {DonorId}: monthly gifts paid by {Customers} Stripe customers", donorId, payers.Count);
            return PortalPage.Render(http, org.Value.Name, "Please contact us", """
                <p class="notice error" role="alert">Your monthly gifts were set up with more than one set of payment details,
                so we cannot open one of them here. Please reply to any of our emails and we will help.</p>
                <p><a href="/manage/account">Back to your giving</a></p>
                """, StatusCodes.Status409Conflict);
        }
        var customer = payers.SingleOrDefault()
            ?? await db.Donors.AsNoTracking().Where(d => d.Id == donorId).Select(d => d.StripeCustomerId).SingleOrDefaultAsync(http.RequestAborted);
        if (customer is null)
            return PortalPage.Render(http, org.Value.Name, "Nothing to manage yet", """
                <p>We have no monthly gift or saved payment details for you at Stripe, so there is nothing to change there.</p>
                <p><a href="/manage/account">Back to your giving</a></p>
                """, StatusCodes.Status404NotFound);

        return await BillingPortalSessions.RedirectAsync(http, stripe, new BillingPortal.SessionCreateOptions
        {
            Customer = customer,
            ReturnUrl = $"{donations.Value.PublicBaseUrl.TrimEnd('/')}/manage/account",
        }, donorId, "billing page", """
            Please try again in a few minutes.</p>
            <p><a href="/manage/account">Back to your giving</a></p>
            """, org.Value.Name, logs.CreateLogger(typeof(OpenBillingPortal)));
    }
}
