using System.Text.Json.Nodes;
using Donations.Tests.Infrastructure;
using Donations.Tests.Statements;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Receipts;

/// <summary>
/// "Tax-deductible to the extent allowed by law" is a US sentence: a donor whose billing country
/// Stripe gives as another reads the neutral line (<c>Organization:ForeignDeductibilityNotice</c>)
/// on receipts and statements instead, in the text, the HTML and the PDF.
/// </summary>
public sealed class DeductibilityNoticeTests
{
    private const string UsNotice = "Contributions are tax-deductible to the extent allowed by law.";
    private const string Neutral = "Deductibility outside the United States depends on the law where you pay taxes.";

    [Fact]
    public async Task A_donor_outside_the_United_States_reads_the_neutral_line_and_donors_in_it_or_of_unknown_country_the_US_one()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.Settings["Organization:ForeignDeductibilityNotice"] = Neutral;
        });
        var paidAt = new DateTimeOffset(2025, 6, 2, 15, 0, 0, TimeSpan.Zero);
        string Completed(string email, string? country)
        {
            var json = JsonNode.Parse(new OneTimeGift(Amount: 2500, Email: email) { PaidAt = paidAt }.CheckoutCompleted())!;
            var details = json["data"]!["object"]!["customer_details"]!.AsObject();
            details["address"] = country is null ? null : new JsonObject { ["country"] = country, ["postal_code"] = "10115" };
            return json.ToJsonString();
        }
        foreach (var (email, country) in new[]
                 { ("greta@example.org", "de"), ("sam@example.org", "US"), ("rosa@example.org", "PR"), ("noone@example.org", (string?)null) })
            await app.DeliverAndProcessAsync(Completed(email, country));
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count(m => m.Headers.Contains("X-Receipt-Number")) == 4),
            TimeSpan.FromSeconds(60), "four receipts");
        await app.RunStatementsAsync(2025);

        ReceiptEmail ReceiptTo(string email) =>
            ReceiptEmail.From(app.Smtp!.Messages.Single(m => m.Headers.Contains("X-Receipt-Number") && m.To.ToString().Contains(email)));
        var foreign = ReceiptTo("greta@example.org");
        foreign.AssertSaysEverywhere(Neutral);
        foreign.AssertSaysNowhere("extent allowed by law");
        // Puerto Rico is the United States, though Stripe gives it its own code.
        foreach (var email in new[] { "sam@example.org", "rosa@example.org", "noone@example.org" })
        {
            var receipt = ReceiptTo(email);
            receipt.AssertSaysEverywhere(UsNotice);
            receipt.AssertSaysNowhere(Neutral);
        }

        var statement = Assert.Single(app.Statements(), s => s.To.ToString().Contains("greta@example.org"));
        Assert.Contains(Neutral, statement.TextBody);
        Assert.Contains(Neutral, statement.HtmlBody);
        Assert.Contains(Neutral, statement.PdfText());
        Assert.DoesNotContain("extent allowed by law", statement.TextBody);
        var domestic = Assert.Single(app.Statements(), s => s.To.ToString().Contains("sam@example.org"));
        Assert.Contains(UsNotice, domestic.TextBody);
    }

    [Fact]
    public async Task A_donor_who_moves_takes_the_country_of_their_newest_payment_whatever_order_the_events_come_in()
    {
        await using var app = await DonationsApp.StartAsync();
        string Completed(DateTimeOffset paidAt, string country)
        {
            var json = JsonNode.Parse(new OneTimeGift(Amount: 2500, Email: "mover@example.org") { PaidAt = paidAt }.CheckoutCompleted())!;
            json["data"]!["object"]!["customer_details"]!["address"] = new JsonObject { ["country"] = country, ["postal_code"] = "1000" };
            return json.ToJsonString();
        }
        Task<string?> CountryAsync() => app.WithDbAsync(db => db.Donors.Select(d => d.Country).SingleAsync());

        await app.DeliverAndProcessAsync(Completed(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero), "de"));
        Assert.Equal("DE", await CountryAsync());
        await app.DeliverAndProcessAsync(Completed(new DateTimeOffset(2025, 9, 1, 12, 0, 0, TimeSpan.Zero), "us"));
        Assert.Equal("US", await CountryAsync());
        // A payment from before the move, delivered late, leaves the newer country standing.
        await app.DeliverAndProcessAsync(Completed(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero), "fr"));
        Assert.Equal("US", await CountryAsync());
    }

    [Theory]
    [InlineData(null, "12 St James's Square, London SW1A 1AA, GB", false)] // recorded before the country was kept apart
    [InlineData(null, "1 Calle Fortaleza, San Juan PR 00901, PR", true)]
    [InlineData(null, "1 Main Street, Springfield MA 01101, US", true)]
    [InlineData(null, null, true)]                                          // unknown: the organisation's own country
    [InlineData("US", "12 St James's Square, London SW1A 1AA, GB", true)]  // the kept country wins
    [InlineData("GU", null, true)]
    [InlineData("CA", null, false)]
    [InlineData(null, "12 Main St, Springfield, IL", true)]                 // Illinois or Israel: unknown, so the organisation's own
    [InlineData(null, "12 Main St, Springfield, IL 62701", true)]           // a US state and ZIP with no country after it
    [InlineData(null, "12 Main St, Springfield, IL 62701, US", true)]
    [InlineData(null, "Unter den Linden 1, Berlin, Germany", false)]        // a country's name
    [InlineData(null, "1 Rodney Square, Wilmington, DE", true)]             // Delaware or Germany: unknown
    [InlineData(null, "Unter den Linden 1, Berlin, 10117, DE", false)]      // after a postal code that is no US ZIP: Germany
    [InlineData(null, "Unter den Linden 1, Berlin, BE 10117, DE", false)]   // BE is no US state
    [InlineData(null, "Rothschild Blvd 1, Tel Aviv, 6100000, IL", false)]
    [InlineData(null, "1 Peachtree St, Atlanta, Georgia", true)]            // the state, not the country
    [InlineData(null, "1 Calle Fortaleza, San Juan, PR 00901", true)]
    public void The_notice_follows_the_kept_country_or_else_the_one_ending_the_kept_address(string? country, string? address, bool american)
    {
        var org = new Api.Infrastructure.Configuration.OrganizationOptions { ForeignDeductibilityNotice = Neutral };

        Assert.Equal(american ? org.DeductibilityNotice : Neutral, org.DeductibilityNoticeFor(country, address));
    }

    [Theory]
    [InlineData("PR")]
    [InlineData("GU")]
    [InlineData("VI")]
    [InlineData("AS")]
    [InlineData("MP")]
    public void Donors_in_a_US_territory_read_the_US_notice_unless_the_setting_says_otherwise(string territory)
    {
        var usual = new Api.Infrastructure.Configuration.OrganizationOptions { ForeignDeductibilityNotice = Neutral };
        var territorial = new Api.Infrastructure.Configuration.OrganizationOptions { ForeignDeductibilityNotice = Neutral, UsTerritoriesGetUsNotice = false };

        Assert.Equal(UsNotice, usual.DeductibilityNoticeFor(territory));
        Assert.Equal(Neutral, territorial.DeductibilityNoticeFor(territory));
        Assert.Equal(Neutral, territorial.DeductibilityNoticeFor(null, $"1 Main St, Town, {territory} 00901, {territory}"));
        // The states themselves, and the islands with no residents, are untouched by the setting.
        Assert.Equal(UsNotice, territorial.DeductibilityNoticeFor("US"));
        Assert.Equal(UsNotice, territorial.DeductibilityNoticeFor("UM"));
        Assert.Equal(UsNotice, territorial.DeductibilityNoticeFor(null, "1 Main St, Springfield, IL 62701, US"));
    }

    [Fact]
    public async Task With_territories_set_apart_a_Puerto_Rico_donor_reads_the_neutral_line_on_receipt_and_statement()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.Settings["Organization:ForeignDeductibilityNotice"] = Neutral;
            o.Settings["Organization:UsTerritoriesGetUsNotice"] = "false";
        });
        var json = JsonNode.Parse(new OneTimeGift(Amount: 2500, Email: "rosa@example.org")
            { PaidAt = new DateTimeOffset(2025, 6, 2, 15, 0, 0, TimeSpan.Zero) }.CheckoutCompleted())!;
        json["data"]!["object"]!["customer_details"]!["address"] = new JsonObject { ["country"] = "PR", ["postal_code"] = "00901" };
        await app.DeliverAndProcessAsync(json.ToJsonString());
        var receipt = ReceiptEmail.From(await app.Smtp!.WaitForMessageAsync(m => m.Headers.Contains("X-Receipt-Number")));
        await app.RunStatementsAsync(2025);

        receipt.AssertSaysEverywhere(Neutral);
        receipt.AssertSaysNowhere("extent allowed by law");
        var statement = Assert.Single(app.Statements());
        Assert.Contains(Neutral, statement.TextBody);
        Assert.Contains(Neutral, statement.PdfText());
        Assert.DoesNotContain("extent allowed by law", statement.TextBody);
    }
}
