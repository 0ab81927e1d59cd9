using Donations.Api.Infrastructure.Web;
using System.Text.RegularExpressions;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using Stripe.Checkout;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// Where Checkout sends the reader back. The thank-you page looks the session up to say what
/// was given; if Stripe cannot be asked it still thanks the reader. Nothing here records the
/// gift: the webhook does that.
/// </summary>
public static partial class ReturnPages
{
    [GeneratedRegex("^cs_[A-Za-z0-9_]{1,250}$")]
    private static partial Regex SessionIdPattern();

    public static async Task<IResult> ThankYou(HttpContext http, SessionLookups lookups, IOptions<StripeOptions> stripeOptions,
        IOptions<OrganizationOptions> organization)
    {
        var id = http.Request.Query["session_id"].ToString();
        var session = SessionIdPattern().IsMatch(id) && CreateCheckoutSession.IsConfigured(stripeOptions.Value)
            ? await lookups.FindAsync(id, ClientKey.Of(http))
            : null;
        return new HtmlPage("Thank you", organization.Value).Add(ThankYouBody(session, organization.Value));
    }

    public static IResult Canceled(IOptions<OrganizationOptions> organization) =>
        new HtmlPage("Donation canceled", organization.Value).Add(
            "<h1>Your donation was canceled</h1>"
            + "<p class=\"lede\">No payment was taken. If you changed your mind about the amount or how often to give, you can start again.</p>"
            + "<p><a class=\"button\" href=\"/donate\">Try again</a></p>"
            + $"<p class=\"hint\">Something went wrong with the payment page? Let us know through <a href=\"{E(organization.Value.Website)}\">our website</a>.</p>");

    private static string ThankYouBody(Session? session, OrganizationOptions org)
    {
        var monthly = session?.Mode == "subscription";
        var manage = monthly
            ? "<p>You can change or cancel your monthly gift at any time from <a href=\"/manage\">your donor page</a>.</p>"
            : "";
        if (session is { Status: "open" })
            return "<h1>Your donation is not finished</h1>"
                + "<p class=\"lede\">We have not received a payment yet. If you meant to give, please start again.</p>"
                + "<p><a class=\"button\" href=\"/donate\">Return to the donation page</a></p>";
        if (session is { Status: "complete", PaymentStatus: "unpaid" })
            return $"<h1>Thank you for supporting {E(org.Name)}</h1>"
                + $"<p class=\"lede\">Your payment of <strong>{E(Total(session))}</strong> is being processed. "
                + "Some payment methods take a few days; we will email your receipt as soon as it clears.</p>" + manage;
        var given = session is { AmountTotal: not null, Currency: not null }
            ? $"<p>Your gift</p><p class=\"amount-total\">{E(Total(session))}{(monthly ? " every month" : "")}</p>{Breakdown(session)}"
            : "";
        return $"<h1>Thank you for supporting {E(org.Name)}</h1>"
            + "<p class=\"lede\">Your donation keeps our reporting independent and free to read.</p>"
            + given
            + $"<p>A tax receipt from {E(org.LegalName)} will arrive by email shortly"
            + $"{(monthly ? ", and another after each monthly payment" : "")}. Please keep it for your records.</p>"
            + manage;
    }

    private static string Total(Session session) => Money.Format(session.AmountTotal ?? 0, session.Currency ?? "usd");

    private static string Breakdown(Session session)
    {
        var meta = session.Metadata;
        if (meta is null || meta.GetValueOrDefault("cover_fee") != "true"
            || !long.TryParse(meta.GetValueOrDefault("gift_amount"), out var gift)
            || !long.TryParse(meta.GetValueOrDefault("fee_amount"), out var fee))
            return "";
        var c = session.Currency!;
        return $"<p class=\"hint\">{E(Money.Format(gift, c))} gift plus {E(Money.Format(fee, c))} to cover processing fees. Thank you for that too.</p>";
    }
}
