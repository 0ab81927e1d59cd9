using System.Text.RegularExpressions;
using Donations.Tests.Infrastructure;
using Donations.Tests.Memberships;

namespace Donations.EndToEnd;

/// <summary>
/// A monthly payment fails; the donor opens the link in the email in a real browser and lands on
/// Stripe's payment-method update for their own customer, without signing in.
/// </summary>
public sealed class CardLinkTests(Browser browser) : IClassFixture<Browser>
{
    [Fact]
    public async Task The_failed_payment_emails_link_opens_Stripes_card_update_for_that_donors_customer_only()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseKestrel = true;
            o.UseSmtp = true;
        });
        var ada = new MonthlyGift(Amount: 2000, Email: "ada@example.org", Name: "Ada Lovelace");
        var alan = new MonthlyGift(Amount: 1000, Email: "alan@example.org", Name: "Alan Turing");
        foreach (var gift in new[] { ada, alan })
        {
            await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
            FailedPaymentTests.StoreFailedInvoice(app, gift, 2, "expired_card", gift.MonthStart(2).AddDays(2));
            await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(2));
        }
        var email = await app.Smtp!.WaitForMessageAsync(m => m.To.Mailboxes.Single().Address == "alan@example.org" && m.Subject!.Contains("did not go through"));
        Assert.Contains("the card on file has expired", email.TextBody);
        await using var context = await browser.Chromium.NewContextAsync();
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(app.BaseAddress, FailedPaymentTests.CardLinkPath(email)).ToString());

        await page.WaitForURLAsync(new Regex($"^{Regex.Escape(app.Stripe.BaseUrl)}/portal/bps_\\w+/flow/payment_method_update$"));
        var session = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
        Assert.Equal((alan.CustomerId, "payment_method_update"), (session["customer"], session["flow_data[type]"]));
        Assert.NotEqual(ada.CustomerId, session["customer"]);
    }
}
