using System.Net;
using System.Text.Json.Nodes;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.StripeWebhooks;

/// <summary>A stored event that failed gives way to a copy that can be processed; a processed one never does.</summary>
public sealed class InboxReplacementTests
{
    private const string Basil = "2025-03-31.basil";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task An_event_of_another_API_version_followed_by_its_endive_copy_gives_exactly_one_gift(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = provider);
        var gift = new OneTimeGift(Amount: 4200);
        var endive = gift.CheckoutCompleted();
        var basil = InVersion(endive, Basil);

        await app.DeliverAsync(basil);
        await app.WaitForEventStatusAsync([StripeEventFactory.IdOf(basil)], StripeEventStatus.Failed);
        await app.DeliverAndProcessAsync(endive); // resent from an endive endpoint, as the stored error says
        await app.DeliverAndProcessAsync(endive, basil); // later copies of either are duplicates

        var row = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().SingleAsync());
        Assert.Equal((StripeEventStatus.Processed, StripeEventFactory.ApiVersion, endive, null), (row.Status, row.ApiVersion, row.Payload, row.Error));
        var donation = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal(4200, donation.Amount);
    }

    [Fact]
    public async Task A_processed_event_stays_as_it_was_whatever_copy_arrives_later()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 1500);
        var original = gift.CheckoutCompleted();
        await app.DeliverAndProcessAsync(original);

        var altered = JsonNode.Parse(original)!;
        altered["data"]!["object"]!["amount_total"] = 999_999;
        Assert.Equal(HttpStatusCode.OK, (await app.PostWebhookAsync(altered.ToJsonString())).StatusCode);
        // The inbox decides in the request: had the copy replaced the row, it would say so now.

        var row = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().SingleAsync());
        Assert.Equal((StripeEventStatus.Processed, original), (row.Status, row.Payload));
        Assert.Equal(1500, (await app.WithDbAsync(db => db.Donations.SingleAsync())).Amount);
    }

    [Fact]
    public async Task Admin_retries_a_failed_event_of_another_version_from_the_staff_page_and_it_is_fetched_at_endive()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 3100);
        var endive = gift.CheckoutCompleted();
        var basil = InVersion(endive, Basil);
        app.Stripe.Store(JsonNode.Parse(endive)!["data"]!["object"]!.AsObject());
        await app.DeliverAsync(basil);
        await app.WaitForEventStatusAsync([StripeEventFactory.IdOf(basil)], StripeEventStatus.Failed);
        var path = $"/staff/events/{StripeEventFactory.IdOf(basil)}/retry";

        var finance = await SignedInAsync(app, "Finance");
        Assert.Equal(HttpStatusCode.Forbidden, (await PostFormAsync(finance, path)).StatusCode);
        var admin = await SignedInAsync(app, "Admin");
        // A form post without the page's antiforgery token is refused before it reaches the retry.
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync(path, new FormUrlEncodedContent([]))).StatusCode);
        var retried = await PostFormAsync(admin, path);

        Assert.Equal(HttpStatusCode.SeeOther, retried.StatusCode);
        await app.WaitForEventsAsync(basil);
        Assert.Equal(3100, (await app.WithDbAsync(db => db.Donations.SingleAsync())).Amount);
        Assert.Contains(app.Stripe.RequestsTo("GET", $"/v1/checkout/sessions/{gift.SessionId}"),
            r => r.Header("Stripe-Version") == StripeEventFactory.ApiVersion);
        Assert.Equal(HttpStatusCode.Conflict, (await PostFormAsync(admin, path)).StatusCode); // processed: nothing to retry
    }

    /// <summary>The same event as Stripe would render it on another API version (same id).</summary>
    public static string InVersion(string eventJson, string apiVersion)
    {
        var node = JsonNode.Parse(eventJson)!;
        node["api_version"] = apiVersion;
        return node.ToJsonString();
    }

    /// <summary>POSTs the retry form as the staff page's button does (token from the page, cookie in the client).</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync("/staff"); // any staff form carries the token
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = FormToken(html) }));
    }
}
