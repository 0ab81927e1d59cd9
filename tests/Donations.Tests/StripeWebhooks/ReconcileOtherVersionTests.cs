using System.Text.Json.Nodes;
using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// The Events API answers in the account's default API version, not the webhook endpoint's: a gift
/// whose webhooks were missed is still recorded once, from its objects fetched at endive.
/// </summary>
public sealed class ReconcileOtherVersionTests
{
    /// <summary>An account default from before the 2025 invoice changes (invoices name their subscription and payment).</summary>
    private const string Acacia = "2024-12-18.acacia";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Missed_gifts_listed_in_an_older_API_version_are_recorded_once_from_endive_objects_and_late_webhooks_add_nothing(
        DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = provider);
        var oneTime = new OneTimeGift(Amount: 2200, Email: "missed-once@example.org");
        var monthly = new MonthlyGift(Amount: 1800, Email: "missed-monthly@example.org");
        var sessionEvent = oneTime.CheckoutCompleted();
        var invoiceEvent = monthly.InvoicePaid(1);
        // Stripe's objects as they stand, at the version the service pins.
        app.Stripe.Store(ObjectOf(sessionEvent));
        app.Stripe.Store(ObjectOf(invoiceEvent));
        // What the Events API lists: the same events, rendered in the account's older default version.
        app.Stripe.Events.Enqueue(InboxReplacementTests.InVersion(sessionEvent, Acacia));
        app.Stripe.Events.Enqueue(AcaciaInvoicePaid(invoiceEvent, monthly));
        var unhandled = StripeEventFactory.Event("payment_intent.created",
            new JsonObject { ["id"] = oneTime.PaymentIntentId, ["object"] = "payment_intent" }, apiVersion: Acacia);
        app.Stripe.Events.Enqueue(unhandled);

        Assert.Equal(2, await ReconcileAsync(app));

        await app.WaitForEventsAsync(sessionEvent, invoiceEvent);
        var rows = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().ToListAsync());
        Assert.Equal(2, rows.Count); // types[] kept the unhandled event out of the listing
        Assert.All(rows, r => Assert.Equal((StripeEventStatus.Processed, StripeEventFactory.ApiVersion, "reconcile"), (r.Status, r.ApiVersion, r.Source)));
        var donations = await app.WithDbAsync(db => db.Donations.OrderBy(d => d.Amount).ToListAsync());
        Assert.Equal([("in:" + monthly.Month(1).InvoiceId, 1800L, monthly.Month(1).PaymentIntentId), ("pi:" + oneTime.PaymentIntentId, 2200L, oneTime.PaymentIntentId)],
            donations.Select(d => (d.SettlementKey, d.Amount, d.StripePaymentIntentId)));
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)).ContinueWith(t => t.Result == 2),
            what: "a receipt for each recovered gift");
        Assert.Contains(app.Stripe.RequestsTo("GET", $"/v1/invoices/{monthly.Month(1).InvoiceId}"),
            r => r.Header("Stripe-Version") == StripeEventFactory.ApiVersion);
        Assert.Contains("types[", Uri.UnescapeDataString(Assert.Single(app.Stripe.RequestsTo("GET", "/v1/events")).Query));

        // Stripe's webhooks arrive at last.
        await app.DeliverAndProcessAsync(sessionEvent, invoiceEvent);
        await app.WaitForIdleJobsAsync();

        Assert.Equal(2, await app.WithDbAsync(db => db.Donations.CountAsync()));
        Assert.Equal(2, await app.WithDbAsync(db => db.Receipts.CountAsync()));
        Assert.Equal(0, await ReconcileAsync(app));
    }

    private static JsonObject ObjectOf(string eventJson) => JsonNode.Parse(eventJson)!["data"]!["object"]!.AsObject();

    /// <summary>
    /// <c>invoice.paid</c> as acacia renders it: the invoice names its subscription, payment intent
    /// and charge itself and says <c>paid</c>; it has no <c>parent</c> and no <c>payments</c>.
    /// </summary>
    private static string AcaciaInvoicePaid(string endiveEvent, MonthlyGift gift)
    {
        var node = JsonNode.Parse(endiveEvent)!;
        node["api_version"] = Acacia;
        var invoice = node["data"]!["object"]!.AsObject();
        var metadata = invoice["parent"]!["subscription_details"]!["metadata"]!.DeepClone();
        invoice.Remove("parent");
        invoice.Remove("payments");
        invoice["subscription"] = gift.SubscriptionId;
        invoice["payment_intent"] = gift.Month(1).PaymentIntentId;
        invoice["charge"] = gift.Month(1).ChargeId;
        invoice["paid"] = true;
        invoice["subscription_details"] = new JsonObject { ["metadata"] = metadata };
        return node.ToJsonString();
    }

    private static async Task<int> ReconcileAsync(DonationsApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReconcileStripeEvents>().RunAsync();
    }
}
