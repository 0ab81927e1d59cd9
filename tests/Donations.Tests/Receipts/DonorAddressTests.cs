using System.Net;
using System.Text.Json.Nodes;
using Donations.Tests.Checkout;
using Donations.Tests.Infrastructure;
using Donations.Tests.Statements;

namespace Donations.Tests.Receipts;

/// <summary><c>Donations:CollectBillingAddress</c>: Checkout asks for the address, and receipts and statements print it.</summary>
public sealed class DonorAddressTests
{
    [Fact]
    public async Task With_billing_addresses_collected_Checkout_requires_one_and_the_receipt_and_statement_print_it_under_the_name()
    {
        await using var app = await CheckoutApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.HangfireServer = true;
            o.Settings["Donations:CollectBillingAddress"] = "true";
        });
        var campaign = CheckoutApp.NewCampaign();
        var created = await CheckoutApp.PostJsonAsync(app, new { amount = 2500, currency = "usd", frequency = "one-time", campaign });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var sent = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/checkout/sessions"), r => r["metadata[campaign]"] == campaign);
        Assert.Equal("required", sent["billing_address_collection"]);

        // What Checkout then reports: the address the donor typed, on the session's customer details.
        var gift = new OneTimeGift(Amount: 2500, Email: "hedy@example.org", Name: "Hedy Lamarr")
        {
            PaidAt = new DateTimeOffset(2025, 6, 2, 15, 0, 0, TimeSpan.Zero),
        };
        var completed = JsonNode.Parse(gift.CheckoutCompleted())!;
        completed["data"]!["object"]!["customer_details"]!["address"] = new JsonObject
        {
            ["line1"] = "1 Main St", ["line2"] = "Apt 2", ["city"] = "Springfield", ["state"] = "IL", ["postal_code"] = "62701", ["country"] = "US",
        };
        await app.DeliverAndProcessAsync(completed.ToJsonString());
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Any(m => m.Headers.Contains("X-Receipt-Number"))), TimeSpan.FromSeconds(30), "the receipt");
        await app.RunStatementsAsync(2025);

        const string address = "Address: 1 Main St, Apt 2, Springfield, IL 62701, US";
        var receipt = ReceiptEmail.From(app.Smtp!.Messages.Single(m => m.Headers.Contains("X-Receipt-Number")));
        receipt.AssertSaysEverywhere("Hedy Lamarr", address);
        var statement = Assert.Single(app.Statements());
        Assert.Contains(address, statement.TextBody);
        Assert.Contains(address, statement.HtmlBody);
        Assert.Contains(address, statement.PdfText());
    }

    [Fact]
    public async Task Without_the_setting_Checkout_is_not_asked_for_an_address_and_a_country_alone_is_not_printed()
    {
        await using var app = await CheckoutApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = true; });
        var campaign = CheckoutApp.NewCampaign();
        await CheckoutApp.PostJsonAsync(app, new { amount = 2500, currency = "usd", frequency = "one-time", campaign });
        var sent = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/checkout/sessions"), r => r["metadata[campaign]"] == campaign);
        Assert.Null(sent["billing_address_collection"]);

        // The stand-in's customer details carry only a country and postal code, as Checkout collects by default.
        await app.DeliverAndProcessAsync(new OneTimeGift(Amount: 2500, Email: "ada-noaddress@example.org").CheckoutCompleted());
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Any(m => m.Headers.Contains("X-Receipt-Number"))), TimeSpan.FromSeconds(30), "the receipt");

        ReceiptEmail.From(app.Smtp!.Messages.Single()).AssertSaysNowhere("Address:");
    }
}
