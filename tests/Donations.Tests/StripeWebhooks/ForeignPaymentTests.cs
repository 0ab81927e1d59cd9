using System.Net;
using System.Text.Json.Nodes;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// The Stripe account also sells things: only payments the donate flow made (its metadata on the
/// session, payment intent or subscription) become gifts; the rest are kept as ignored events.
/// </summary>
public sealed class ForeignPaymentTests
{
    private const string NotOurs = "not created by the donate page";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_shop_sale_a_foreign_subscription_and_their_refund_make_no_gift_and_are_shown_ignored_to_staff(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = provider);
        var sale = new OneTimeGift(Amount: 3900, Email: "shopper@example.org");
        var shopSale = ShopSession(sale);
        // The shop's payment intent, as Stripe answers for it: no donate-flow metadata.
        app.Stripe.Store(new JsonObject { ["id"] = sale.PaymentIntentId, ["object"] = "payment_intent", ["amount"] = 3900,
            ["currency"] = "usd", ["metadata"] = new JsonObject { ["order"] = "A-1001" }, ["status"] = "succeeded" });
        var print = new MonthlyGift(Amount: 1200, Email: "print-reader@example.org",
            Metadata: new Dictionary<string, string> { ["product"] = "print-edition" });
        var foreign = new[] { shopSale, sale.Refunded(3900), print.SubscriptionCreated(), print.InvoicePaid(1) };

        await app.DeliverAndProcessAsync(foreign);

        var rows = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().ToListAsync());
        Assert.All(rows, r => Assert.Equal((StripeEventStatus.Ignored, NotOurs), (r.Status, r.Error)));
        Assert.Equal(0, await app.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Memberships.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Receipts.CountAsync()));

        var finance = await SignedInAsync(app, "Finance");
        var csv = await finance.GetStringAsync("/api/finance/donations.csv");
        Assert.Single(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // the header only
        var page = await finance.GetAsync("/staff/events");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        foreach (var json in foreign) Assert.Contains($"data-event=\"{StripeEventFactory.IdOf(json)}\"", html);
        Assert.Contains(NotOurs, html);
    }

    [Fact]
    public async Task A_gift_taken_outside_the_donate_page_counts_when_staff_mark_it()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 10000, Metadata: new Dictionary<string, string> { ["origin"] = "staff" });

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());

        var donation = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal(("pi:" + gift.PaymentIntentId, 10000L), (donation.SettlementKey, donation.Amount));
    }

    [Fact]
    public async Task A_monthly_gift_begun_before_the_origin_mark_still_renews_as_a_gift()
    {
        await using var app = await DonationsApp.StartAsync();
        // The donate flow's metadata as it was written before it carried an origin.
        var earlier = new Dictionary<string, string>
        {
            ["frequency"] = "monthly", ["cover_fee"] = "false", ["fee_amount"] = "0", ["gift_amount"] = "1500",
        };
        var member = new MonthlyGift(Amount: 1500, Metadata: earlier);
        var lookalike = new MonthlyGift(Amount: 1500, Metadata: new Dictionary<string, string> { ["gift_amount"] = "1500" });

        await app.DeliverAndProcessAsync(member.InvoicePaid(2), lookalike.InvoicePaid(2));

        var donation = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal(("in:" + member.Month(2).InvoiceId, 1500L), (donation.SettlementKey, donation.Amount));
    }

    [Fact]
    public async Task A_refund_of_a_donate_page_payment_not_recorded_yet_still_waits_for_it()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 2500);
        app.Stripe.Store(new JsonObject { ["id"] = gift.PaymentIntentId, ["object"] = "payment_intent", ["amount"] = 2500,
            ["currency"] = "usd", ["metadata"] = new JsonObject { ["origin"] = "donate_page" }, ["status"] = "succeeded" });
        var refund = gift.Refunded(2500);

        await app.DeliverAsync(refund);
        await app.WaitForEventStatusAsync([StripeEventFactory.IdOf(refund)], StripeEventStatus.Failed);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());
        await app.WaitForEventsAsync(refund);

        Assert.Equal(DonationStatus.Refunded, (await app.WithDbAsync(db => db.Donations.SingleAsync())).Status);
    }

    /// <summary>A paid Checkout session of the shop: <c>submit_type=pay</c>, the shop's own metadata.</summary>
    private static string ShopSession(OneTimeGift sale)
    {
        var session = StripeEventFactory.CheckoutSession(sale.SessionId, "payment", sale.Amount, sale.Currency, sale.Email, sale.Name, null,
            sale.PaymentIntentId, null, null, "paid", new Dictionary<string, string> { ["order"] = "A-1001" }, sale.PaidAt);
        session["submit_type"] = "pay";
        return StripeEventFactory.Event("checkout.session.completed", session, sale.PaidAt);
    }
}
