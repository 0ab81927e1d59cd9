using System.Net;
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
}
