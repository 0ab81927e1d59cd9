using System.Net;
using System.Text.RegularExpressions;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Checkout;

/// <summary>The page a reader sees and the plain form post that works without script.</summary>
public sealed partial class DonateFormTests(CheckoutApp fixture) : IClassFixture<CheckoutApp>
{
    [Fact]
    public async Task Donate_page_offers_presets_frequency_fee_and_email_with_labels_and_no_outside_assets()
    {
        var response = await fixture.App.Client.GetAsync("/donate?campaign=spring&source=article-7");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Support Example Journal", html);
        foreach (var preset in new[] { "10", "25", "50", "100" })
            Assert.Contains($"name=\"amount\" value=\"{preset}\"", html);
        Assert.Contains("value=\"one-time\"", html);
        Assert.Contains("value=\"monthly\"", html);
        Assert.Contains("<input type=\"hidden\" name=\"campaign\" value=\"spring\">", html);
        Assert.Contains("<input type=\"hidden\" name=\"source\" value=\"article-7\">", html);
        Assert.Matches("name=\"nonce\" value=\"[0-9a-f]{32}\"", html);
        // The fee for the pre-selected 25.00: ceil(25.30 / 0.971) - 25.00 = 1.06; and the formula.
        Assert.Contains("<strong id=\"fee-amount\">$1.06</strong>", html);
        Assert.Contains("2.9% + $0.30", html);
        // Every visible input has a label.
        foreach (Match input in InputIds().Matches(html))
            Assert.Contains($"for=\"{input.Groups[1].Value}\"", html);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//(?!example.org)", html);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task Form_post_answers_303_to_the_Checkout_page()
    {
        var campaign = CheckoutApp.NewCampaign();
        var response = await PostFormAsync(new()
        {
            ["amount"] = "50", ["currency"] = "usd", ["frequency"] = "monthly", ["coverFee"] = "true",
            ["email"] = "reader@example.com", ["campaign"] = campaign, ["source"] = "newsletter", ["nonce"] = "abc123",
        });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var sent = fixture.SessionRequestFor(campaign);
        Assert.StartsWith($"{fixture.Stripe.BaseUrl}/checkout/cs_", response.Headers.Location!.ToString());
        Assert.Equal("subscription", sent["mode"]);
        Assert.Equal("5181", sent["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("181", sent["subscription_data[metadata][fee_amount]"]);
        Assert.Equal("newsletter", sent["metadata[source]"]);
        Assert.Equal("reader@example.com", sent["customer_email"]);
        // Stripe.net puts a random key on every POST; ours replaces it with one derived from the form.
        Assert.Matches("^donate-[0-9a-f]{64}$", sent.IdempotencyKey);
    }

    [Fact]
    public async Task Resubmitting_the_form_with_the_email_in_other_case_sends_the_same_key_and_the_same_parameters()
    {
        var campaign = CheckoutApp.NewCampaign();
        Dictionary<string, string> Form(string email) => new()
        {
            ["amount"] = "25", ["currency"] = "usd", ["email"] = email, ["campaign"] = campaign, ["nonce"] = "case-1",
        };

        var first = await PostFormAsync(Form("Reader.Case@Example.COM"));
        var second = await PostFormAsync(Form(" reader.case@example.com "));

        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, second.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var sent = fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Where(r => r["metadata[campaign]"] == campaign).ToList();
        Assert.Equal(2, sent.Count);
        Assert.Matches("^donate-[0-9a-f]{64}$", sent[0].IdempotencyKey);
        Assert.Equal(sent[0].IdempotencyKey, sent[1].IdempotencyKey);
        Assert.Equal(sent[0].Form, sent[1].Form);
        Assert.Equal("reader.case@example.com", sent[0]["customer_email"]);
    }

    [Fact]
    public async Task A_custom_amount_wins_over_the_preset_and_may_have_cents()
    {
        var campaign = CheckoutApp.NewCampaign();
        var response = await PostFormAsync(new() { ["amount"] = "25", ["customAmount"] = "$42.50", ["currency"] = "usd", ["campaign"] = campaign });

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("4250", fixture.SessionRequestFor(campaign)["line_items[0][price_data][unit_amount]"]);
    }

    [Fact]
    public async Task Double_submitting_the_same_form_gets_the_same_session()
    {
        var campaign = CheckoutApp.NewCampaign();
        var form = new Dictionary<string, string> { ["amount"] = "25", ["currency"] = "usd", ["campaign"] = campaign, ["nonce"] = "n-1" };
        var first = await PostFormAsync(form);
        var second = await PostFormAsync(form);

        Assert.Equal(first.Headers.Location, second.Headers.Location);
        var keys = fixture.Stripe.RequestsTo("POST", "/v1/checkout/sessions")
            .Where(r => r["metadata[campaign]"] == campaign).Select(r => r.IdempotencyKey).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Matches("^donate-[0-9a-f]{64}$", keys[0]);
        Assert.Equal(keys[0], keys[1]);
    }

    [Theory]
    [InlineData("3", "The smallest gift we can accept is $5.00.")]
    [InlineData("20000", "The largest gift we can accept online is $10,000.00.")]
    [InlineData("12.345", "at most 2 decimal places")]
    [InlineData("twelve", "as a number")]
    public async Task An_invalid_amount_shows_the_page_again_with_the_message_and_the_entries(string amount, string message)
    {
        var response = await PostFormAsync(new() { ["customAmount"] = amount, ["currency"] = "usd", ["email"] = "keep@example.com" });
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(message), html);
        Assert.Contains("role=\"alert\"", html);
        Assert.Contains("aria-invalid=\"true\"", html);
        Assert.Contains("value=\"keep@example.com\"", html);
    }

    [Fact]
    public async Task Thank_you_page_shows_the_gift_from_the_session_and_promises_a_receipt_by_email()
    {
        var created = await CheckoutApp.JsonAsync(await fixture.PostJsonAsync(new { amount = 5000, currency = "usd", frequency = "monthly", coverFee = true }));
        var id = created.GetProperty("id").GetString()!;
        // Checkout completes on Stripe's side; the stand-in answers the lookup the way Stripe then would.
        fixture.Stripe.On("GET", $"/v1/checkout/sessions/{id}", _ => StripeReply.Ok(new
        {
            id, @object = "checkout.session", mode = "subscription", status = "complete", payment_status = "paid",
            amount_total = 5181, currency = "usd", metadata = new { cover_fee = "true", gift_amount = "5000", fee_amount = "181" },
        }));

        var html = await fixture.App.Client.GetStringAsync($"/donate/thank-you?session_id={id}");

        Assert.Contains("$51.81", html);
        Assert.Contains("every month", html);
        Assert.Contains("$50.00 gift plus $1.81", html);
        Assert.Contains("receipt", html);
        Assert.Contains("by email", html);
    }

    [Fact]
    public async Task Thank_you_page_still_thanks_the_reader_when_the_session_cannot_be_looked_up()
    {
        var response = await fixture.App.Client.GetAsync("/donate/thank-you?session_id=cs_test_unknown");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Thank you for supporting Example Journal", html);
        Assert.Contains("by email", html);
    }

    [Fact]
    public async Task Thank_you_page_for_an_unfinished_session_offers_the_donate_page_again()
    {
        var created = await CheckoutApp.JsonAsync(await fixture.PostJsonAsync(new { amount = 2000, currency = "usd", frequency = "one-time" }));

        var html = await fixture.App.Client.GetStringAsync($"/donate/thank-you?session_id={created.GetProperty("id").GetString()}");

        Assert.Contains("not received a payment", html);
        Assert.Contains("href=\"/donate\"", html);
    }

    [Fact]
    public async Task Canceled_page_says_nothing_was_taken_and_offers_to_try_again()
    {
        var html = await fixture.App.Client.GetStringAsync("/donate/canceled");

        Assert.Contains("No payment was taken", html);
        Assert.Contains("href=\"/donate\"", html);
    }

    private Task<HttpResponseMessage> PostFormAsync(Dictionary<string, string> fields) =>
        fixture.App.Client.PostAsync("/donate", new FormUrlEncodedContent(fields));

    [GeneratedRegex("<(?:input|select)(?![^>]*type=\"hidden\")[^>]*\\bid=\"([^\"]+)\"")]
    private static partial Regex InputIds();
}
