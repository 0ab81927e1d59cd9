using System.Net;

namespace Donations.Tests.Checkout;

/// <summary>Exactly what reaches Stripe when a Checkout Session is created.</summary>
public sealed class CheckoutSessionFieldsTests(CheckoutApp fixture) : IClassFixture<CheckoutApp>
{
    private const string Success = "https://donate.example.org/donate/thank-you?session_id={CHECKOUT_SESSION_ID}";
    private const string Cancel = "https://donate.example.org/donate/canceled";

    [Fact]
    public async Task One_time_gift_creates_a_payment_session_with_metadata_on_the_session_and_the_payment_intent()
    {
        var campaign = CheckoutApp.NewCampaign();
        var response = await fixture.PostJsonAsync(new
        {
            amount = 2500, currency = "usd", frequency = "one-time", email = "reader@example.com", campaign, source = "article-42",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = fixture.SessionRequestFor(campaign);
        var metadata = Metadata("one-time", "false", "0", "2500", campaign, "article-42");
        Assert.Equal(Sorted(new Dictionary<string, string>
        {
            ["mode"] = "payment",
            ["submit_type"] = "donate",
            ["success_url"] = Success,
            ["cancel_url"] = Cancel,
            ["customer_email"] = "reader@example.com",
            ["line_items[0][quantity]"] = "1",
            ["line_items[0][price_data][currency]"] = "usd",
            ["line_items[0][price_data][unit_amount]"] = "2500",
            ["line_items[0][price_data][product_data][name]"] = "Donation to Example Journal",
        }.Concat(Prefixed("metadata", metadata)).Concat(Prefixed("payment_intent_data[metadata]", metadata))), Sorted(sent.Form));

        var body = await CheckoutApp.JsonAsync(response);
        var id = body.GetProperty("id").GetString()!;
        Assert.StartsWith("cs_", id);
        Assert.Equal($"{fixture.Stripe.BaseUrl}/checkout/{id}", body.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Monthly_gift_creates_a_subscription_session_with_a_monthly_price_and_subscription_metadata()
    {
        var campaign = CheckoutApp.NewCampaign();
        var response = await fixture.PostJsonAsync(new { amount = 1500, currency = "eur", frequency = "monthly", campaign });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metadata = Metadata("monthly", "false", "0", "1500", campaign, source: null);
        Assert.Equal(Sorted(new Dictionary<string, string>
        {
            ["mode"] = "subscription",
            ["submit_type"] = "donate",
            ["success_url"] = Success,
            ["cancel_url"] = Cancel,
            ["line_items[0][quantity]"] = "1",
            ["line_items[0][price_data][currency]"] = "eur",
            ["line_items[0][price_data][unit_amount]"] = "1500",
            ["line_items[0][price_data][recurring][interval]"] = "month",
            ["line_items[0][price_data][product_data][name]"] = "Monthly donation to Example Journal",
        }.Concat(Prefixed("metadata", metadata)).Concat(Prefixed("subscription_data[metadata]", metadata))), Sorted(fixture.SessionRequestFor(campaign).Form));
    }

    [Theory]
    // gift 50.00 at 2.9% + 0.30: ceil(50.30 / 0.971) = 51.81, so the fee is 1.81.
    [InlineData(5000, "usd", 181)]
    // gift 10.00: ceil(10.30 / 0.971) = 10.61.
    [InlineData(1000, "usd", 61)]
    // jpy has no minor unit: the 0.30 fixed part is 0 yen; ceil(1000 / 0.971) = 1030.
    [InlineData(1000, "jpy", 30)]
    public async Task Covering_the_fee_charges_the_gift_grossed_up_and_records_both_parts(long gift, string currency, long fee)
    {
        var campaign = CheckoutApp.NewCampaign();
        var response = await fixture.PostJsonAsync(new { amount = gift, currency, frequency = "one-time", coverFee = true, campaign });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = fixture.SessionRequestFor(campaign);
        Assert.Equal((gift + fee).ToString(), sent["line_items[0][price_data][unit_amount]"]);
        Assert.Equal(currency, sent["line_items[0][price_data][currency]"]);
        foreach (var prefix in new[] { "metadata", "payment_intent_data[metadata]" })
        {
            Assert.Equal("true", sent[$"{prefix}[cover_fee]"]);
            Assert.Equal(fee.ToString(), sent[$"{prefix}[fee_amount]"]);
            Assert.Equal(gift.ToString(), sent[$"{prefix}[gift_amount]"]);
        }
        Assert.NotNull(sent["line_items[0][price_data][product_data][description]"]);
    }

    [Fact]
    public async Task Zero_decimal_currency_sends_whole_yen_and_its_minimum_is_Stripes_minimum_charge()
    {
        // ¥5 was once accepted here because the USD minimum of 5.00 became 5 yen; Stripe refuses
        // anything under ¥50, and so does the stand-in now.
        var campaign = CheckoutApp.NewCampaign();
        var ok = await fixture.PostJsonAsync(new { amount = 50, currency = "jpy", frequency = "one-time", campaign });
        var tooSmall = await fixture.PostJsonAsync(new { amount = 49, currency = "jpy", frequency = "one-time" });

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var sent = fixture.SessionRequestFor(campaign);
        Assert.Equal("jpy", sent["line_items[0][price_data][currency]"]);
        Assert.Equal("50", sent["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("50", sent["metadata[gift_amount]"]);
        Assert.Equal(HttpStatusCode.BadRequest, tooSmall.StatusCode);
        Assert.Contains("¥50", (await CheckoutApp.JsonAsync(tooSmall)).GetProperty("errors").GetProperty("amount")[0].GetString());
    }

    [Fact]
    public async Task Receipt_email_is_never_sent_to_Stripe()
    {
        var campaign = CheckoutApp.NewCampaign();
        await fixture.PostJsonAsync(new { amount = 2500, currency = "usd", frequency = "one-time", email = "r@example.com", coverFee = true, campaign });
        await fixture.PostJsonAsync(new { amount = 2500, currency = "usd", frequency = "monthly", email = "r@example.com", campaign = campaign + "m" });

        var sent = fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions")
            .Where(r => r["metadata[campaign]"]?.StartsWith(campaign) == true).ToList();
        Assert.Equal(2, sent.Count);
        Assert.All(sent, r => Assert.DoesNotContain(r.Form, f => f.Key.Contains("receipt_email")));
    }

    [Fact]
    public async Task A_retried_request_with_the_same_idempotency_key_gets_the_same_session()
    {
        var campaign = CheckoutApp.NewCampaign();
        var body = new { amount = 3000, currency = "usd", frequency = "one-time", campaign };
        var first = await CheckoutApp.JsonAsync(await fixture.PostJsonAsync(body, idempotencyKey: "client-key-1"));
        var retry = await CheckoutApp.JsonAsync(await fixture.PostJsonAsync(body, idempotencyKey: "client-key-1"));
        var changed = await CheckoutApp.JsonAsync(await fixture.PostJsonAsync(body with { amount = 3500 }, idempotencyKey: "client-key-1"));

        var keys = fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions")
            .Where(r => r["metadata[campaign]"] == campaign).Select(r => r.IdempotencyKey).ToList();
        Assert.Equal(3, keys.Count);
        Assert.All(keys, k => Assert.False(string.IsNullOrEmpty(k)));
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]);
        Assert.Equal(first.GetProperty("id").GetString(), retry.GetProperty("id").GetString());
        Assert.NotEqual(first.GetProperty("id").GetString(), changed.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Without_a_key_an_identical_request_moments_later_reuses_the_key()
    {
        var campaign = CheckoutApp.NewCampaign();
        var body = new { amount = 4000, currency = "usd", frequency = "one-time", campaign };
        await fixture.PostJsonAsync(body);
        await fixture.PostJsonAsync(body);

        var keys = fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions")
            .Where(r => r["metadata[campaign]"] == campaign).Select(r => r.IdempotencyKey).Distinct().ToList();
        // Two calls can straddle a minute boundary; then there are two keys, never more.
        Assert.InRange(keys.Count, 1, 2);
        Assert.All(keys, k => Assert.StartsWith("donate-", k));
    }

    private static Dictionary<string, string> Metadata(string frequency, string coverFee, string fee, string gift, string campaign, string? source)
    {
        var m = new Dictionary<string, string>
        {
            ["origin"] = "donate_page", ["frequency"] = frequency, ["cover_fee"] = coverFee, ["fee_amount"] = fee, ["gift_amount"] = gift, ["campaign"] = campaign,
        };
        if (source is not null) m["source"] = source;
        return m;
    }

    private static IEnumerable<KeyValuePair<string, string>> Prefixed(string prefix, Dictionary<string, string> values) =>
        values.Select(kv => new KeyValuePair<string, string>($"{prefix}[{kv.Key}]", kv.Value));

    private static List<string> Sorted(IEnumerable<KeyValuePair<string, string>> form) =>
        form.Select(kv => $"{kv.Key}={kv.Value}").Order(StringComparer.Ordinal).ToList();
}
