using System.Net;
using System.Text.Json.Nodes;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.DonorPortal;

/// <summary>
/// A member whose monthly gift came through the webhooks, with its subscription kept by the Stripe
/// stand-in, signed in to the portal: what the self-service tests start from.
/// </summary>
internal sealed record Member(DonationsApp App, MonthlyGift Gift, long DonorId, long MembershipId, HttpClient Browser)
{
    public static readonly IReadOnlyDictionary<string, string> Metadata = new Dictionary<string, string>
    {
        ["origin"] = "donate_page", ["frequency"] = "monthly", ["cover_fee"] = "false", ["fee_amount"] = "0", ["gift_amount"] = "2000",
    };

    public string SubscriptionPath => $"/v1/subscriptions/{Gift.SubscriptionId}";
    public JsonObject Subscription => App.Stripe.Objects[Gift.SubscriptionId];

    public static async Task<Member> StartAsync(DonationsApp app, string email = "grace.hopper@example.org", long amount = 2000)
    {
        var gift = new MonthlyGift(Amount: amount, Email: email, Metadata: Metadata);
        var subscription = StripeEventFactory.Subscription(gift.SubscriptionId, gift.CustomerId, amount, "usd", "active",
            gift.StartedAt, gift.MonthStart(2), latestInvoice: gift.Month(1).InvoiceId, metadata: Metadata);
        app.Stripe.Store(subscription);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(),
            StripeEventFactory.Event("customer.subscription.created", subscription, gift.StartedAt), gift.InvoicePaid(1));
        var (donorId, membershipId) = await app.WithDbAsync(db => db.Memberships.Where(m => m.StripeSubscriptionId == gift.SubscriptionId)
            .Select(m => new ValueTuple<long, long>(m.DonorId, m.Id)).SingleAsync());
        var browser = app.CreateClient();
        await Portal.SignInAsync(app, browser, donorId);
        return new Member(app, gift, donorId, membershipId, browser);
    }

    /// <summary>Posts one of the account page's gift forms, as the browser would, with the page's antiforgery token and nonce.</summary>
    public async Task<HttpResponseMessage> PostAsync(string action, params (string Key, string Value)[] fields) =>
        await PostAsync(action, MembershipId, "page-nonce", fields);

    public async Task<HttpResponseMessage> PostAsync(string action, long gift, string nonce, params (string Key, string Value)[] fields)
    {
        var token = await Portal.FormTokenAsync(Browser, "/manage/account");
        return await Portal.PostFormAsync(Browser, $"/manage/gift/{action}", token,
            [("gift", gift.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("request", nonce), .. fields]);
    }

    /// <summary>The one subscription update Stripe received, checked for what every portal change must carry.</summary>
    public StripeRequest SingleUpdate()
    {
        var update = Assert.Single(App.Stripe.RequestsTo("POST", SubscriptionPath));
        Assert.Equal(StripeEventFactory.ApiVersion, update.Header("Stripe-Version"));
        Assert.StartsWith("portal-", update.IdempotencyKey);
        return update;
    }

    /// <summary>Stripe's <c>customer.subscription.updated</c> for the subscription as it now stands, delivered and processed.</summary>
    public async Task WebhookArrivesAsync(DateTimeOffset? after = null)
    {
        var applied = await App.WithDbAsync(db => db.Memberships.Where(m => m.Id == MembershipId).Select(m => m.LastEventAt).SingleAsync());
        await App.DeliverAndProcessAsync(App.Stripe.SubscriptionUpdatedEvent(Gift.SubscriptionId,
            after ?? new DateTimeOffset(DateTime.SpecifyKind(applied, DateTimeKind.Utc)).AddMinutes(1)));
    }

    public Task<Membership> MembershipAsync() =>
        App.WithDbAsync(db => db.Memberships.AsNoTracking().SingleAsync(m => m.Id == MembershipId));

    public async Task<string> AccountPageAsync()
    {
        var page = await Browser.GetAsync("/manage/account");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        return await page.Content.ReadAsStringAsync();
    }

    public static long Unix(string? value) => long.Parse(value!, System.Globalization.CultureInfo.InvariantCulture);
}
