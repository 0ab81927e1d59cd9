using System.Net;
using System.Net.Http.Json;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using static Donations.Tests.Finance.FinanceBooks;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Finance;

public sealed class AttributionTests
{
    [Fact]
    public async Task An_article_link_reaches_the_subscription_and_every_monthly_renewal_carries_the_campaign_of_the_first_gift()
    {
        await using var app = await DonationsApp.StartAsync();

        // The article's button: /donate?campaign=…&utm_source=… (utm_* stand in when campaign/source are absent).
        var page = await app.Client.GetStringAsync("/donate?utm_campaign=winter-appeal&utm_source=article-soil-carbon&frequency=monthly");
        Assert.Contains("value=\"winter-appeal\"", page);
        Assert.Contains("value=\"article-soil-carbon\"", page);
        var posted = await app.Client.PostAsync("/donate", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["amount"] = "20", ["currency"] = "usd", ["frequency"] = "monthly", ["campaign"] = "winter-appeal",
            ["source"] = "article-soil-carbon", ["nonce"] = Guid.NewGuid().ToString("N"),
        }));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var session = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.Equal(("winter-appeal", "article-soil-carbon"), (session["subscription_data[metadata][campaign]"], session["subscription_data[metadata][source]"]));

        // Stripe copies the subscription's metadata into every invoice it makes for it.
        var gift = new MonthlyGift(Amount: 2000, Metadata: DonatePage("monthly",
            campaign: session["subscription_data[metadata][campaign]"], source: session["subscription_data[metadata][source]"]))
        { StartedAt = DateTimeOffset.UtcNow.AddMonths(-2) };
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1), gift.InvoicePaid(2), gift.InvoicePaid(3));
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var rows = Rows(await finance.GetStringAsync("/api/finance/donations.csv"));

        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(("monthly", "winter-appeal", "article-soil-carbon"), (r["frequency"], r["campaign"], r["source"])));
    }

    [Fact]
    public async Task Utm_medium_content_and_term_go_from_the_donate_link_through_Checkout_to_every_payment_and_the_export_s_last_columns()
    {
        await using var app = await DonationsApp.StartAsync();

        var page = await app.Client.GetStringAsync("/donate?campaign=spring&utm_medium=newsletter&utm_content=footer-button&utm_term=soil%20carbon&frequency=monthly");
        Assert.Contains("<input type=\"hidden\" name=\"utm_medium\" value=\"newsletter\">", page);
        Assert.Contains("<input type=\"hidden\" name=\"utm_content\" value=\"footer-button\">", page);
        Assert.Contains("<input type=\"hidden\" name=\"utm_term\" value=\"soil carbon\">", page);
        var posted = await app.Client.PostAsync("/donate", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["amount"] = "20", ["currency"] = "usd", ["frequency"] = "monthly", ["campaign"] = "spring", ["utm_medium"] = "newsletter",
            ["utm_content"] = "footer-button", ["utm_term"] = "soil carbon", ["nonce"] = Guid.NewGuid().ToString("N"),
        }));
        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        // The JSON twin takes them too; one-time gifts carry them on the payment intent.
        var api = await app.Client.PostAsJsonAsync("/api/checkout", new
        {
            amount = 1500, currency = "usd", frequency = "one-time", utmMedium = "social", utmContent = "post-" + new string('x', 200), utmTerm = "\u0007",
        });
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        var sessions = app.Stripe.RequestsTo("POST", "/v1/checkout/sessions").ToList();
        Assert.Equal(2, sessions.Count);
        var monthly = sessions[0];
        foreach (var prefix in new[] { "metadata", "subscription_data[metadata]" })
            Assert.Equal(("newsletter", "footer-button", "soil carbon"),
                (monthly[$"{prefix}[utm_medium]"], monthly[$"{prefix}[utm_content]"], monthly[$"{prefix}[utm_term]"]));
        var once = sessions[1];
        Assert.Equal("social", once["payment_intent_data[metadata][utm_medium]"]);
        Assert.Equal("post-" + new string('x', 95), once["payment_intent_data[metadata][utm_content]"]); // 100 characters, far below Stripe's 500
        Assert.Null(once["payment_intent_data[metadata][utm_term]"]); // a control character is no tag

        // Stripe copies the subscription's metadata into every invoice it makes for it.
        var metadata = FinanceBooks.DonatePage("monthly", campaign: "spring");
        foreach (var key in new[] { "utm_medium", "utm_content", "utm_term" }) metadata[key] = monthly[$"subscription_data[metadata][{key}]"]!;
        var gift = new MonthlyGift(Amount: 2000, Metadata: metadata) { StartedAt = DateTimeOffset.UtcNow.AddMonths(-1) };
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1), gift.InvoicePaid(2));
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var csv = await finance.GetStringAsync("/api/finance/donations.csv");

        Assert.EndsWith(",campaign,source,utm_medium,utm_content,utm_term", csv[..csv.IndexOf("\r\n", StringComparison.Ordinal)]);
        var rows = Rows(csv);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(("spring", "", "newsletter", "footer-button", "soil carbon"),
            (r["campaign"], r["source"], r["utm_medium"], r["utm_content"], r["utm_term"])));
    }
}
