using Donations.Api.Features.Statements;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using DonorPortal = Donations.Tests.DonorPortal;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Statements;

/// <summary>What a year-end statement says, checked against the donor's ledger in text, HTML and PDF.</summary>
public sealed class StatementContentTests
{
    // The organisation keeps New York time (harness default): UTC-5 in winter.
    private static DateTime Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Statement_lists_the_years_gifts_nets_refunds_and_totals_per_currency_in_the_organisations_time_zone()
    {
        await using var app = await DonationsApp.StartAsync();
        var ada = await app.DonorAsync("Ada Lovelace", "ada@example.com");
        var once = await app.GiftAsync(ada, Utc(2025, 3, 10, 15, 0), 10000);
        var monthly = await app.GiftAsync(ada, Utc(2025, 6, 1, 12, 0), 2000, frequency: DonationFrequency.Monthly,
            benefitsValue: 200, benefits: "Quarterly print edition");
        var partly = await app.GiftAsync(ada, Utc(2025, 8, 15, 12, 0), 5000, refunded: 1500);
        await app.GiftAsync(ada, Utc(2025, 9, 1, 12, 0), 3000, refunded: 3000);
        // 23:30 on 31 December in New York: already 2026 in UTC, yet a 2025 gift.
        var newYearsEve = await app.GiftAsync(ada, Utc(2026, 1, 1, 4, 30), 4000, receiptYear: 2025);
        // 23:30 on 31 December 2024 in New York, and 00:30 on 1 January 2026: other years.
        var before = await app.GiftAsync(ada, Utc(2025, 1, 1, 4, 30), 6000, receiptYear: 2024);
        var after = await app.GiftAsync(ada, Utc(2026, 1, 1, 5, 30), 7000);
        var euros = await app.GiftAsync(ada, Utc(2025, 5, 5, 12, 0), 2500, currency: "eur");

        var run = await app.RunStatementsAsync(2025);

        Assert.Equal((1, 1, 0, 0), (run.DonorsTotal, run.Sent, run.Skipped, run.Failed));
        var message = Assert.Single(app.Statements());
        Assert.Equal("ada@example.com", message.To.Mailboxes.Single().Address);
        Assert.Contains("2025", message.Subject);
        var text = message.TextBody;
        foreach (var body in new[] { text, message.PdfText() })
        {
            Assert.Contains("Example Journal Foundation, Inc.", body);
            Assert.Contains("12-3456789", body);
            Assert.Contains("501(c)(3)", body);
            Assert.Contains("Ada Lovelace", body);
            foreach (var receipt in new[] { once, monthly, partly, newYearsEve, euros })
                Assert.Contains(receipt!, body);
            Assert.DoesNotContain(before!, body);
            Assert.DoesNotContain(after!, body);
            Assert.Contains("$193.00", body); // deductible: 100 + (20 - 2) + (50 - 15) + 40
            Assert.Contains("€25.00", body);
        }
        Assert.Contains("2025-03-10  $100.00 USD  One-time gift", text);
        Assert.Contains("2025-06-01  $20.00 USD  Monthly gift", text);
        Assert.Contains("2025-08-15  $35.00 USD  One-time gift", text);
        Assert.Contains("Partly refunded: paid $50.00, refunded $15.00, counted $35.00", text);
        Assert.Contains("2025-12-31  $40.00 USD  One-time gift", text);
        Assert.Contains("2025-05-05  €25.00 EUR  One-time gift", text);
        Assert.Contains("Quarterly print edition, fair market value $2.00; deductible $18.00", text);
        Assert.Contains("1 gift was refunded in full and is not listed or included in the totals.", text);
        Assert.DoesNotContain("$30.00", text);
        Assert.DoesNotContain("$60.00", text);
        Assert.DoesNotContain("$70.00", text);
        Assert.Contains("Total contributions: $195.00 USD", text);
        Assert.Contains("Refunds netted: $15.00 of $210.00 paid", text);
        Assert.Contains("Fair market value of goods or services received: $2.00 USD", text);
        Assert.Contains("Deductible total: $193.00 USD", text);
        Assert.Contains("Total contributions: €25.00 EUR", text);
        Assert.Contains("Deductible total: €25.00 EUR", text);
        Assert.Contains("No goods or services were provided in exchange for your other contributions.", text);
        Assert.Contains("Deductible total: <strong>$193.00 USD</strong>", message.HtmlBody);
        Assert.Contains("Quarterly print edition", message.HtmlBody);
    }

    [Fact]
    public async Task Gifts_without_benefits_carry_the_no_goods_or_services_statement()
    {
        await using var app = await DonationsApp.StartAsync();
        var grace = await app.DonorAsync("Grace Hopper", "grace@example.com");
        await app.GiftAsync(grace, Utc(2025, 2, 1, 12, 0), 500000, currency: "jpy");

        await app.RunStatementsAsync(2025);

        var text = Assert.Single(app.Statements()).TextBody;
        Assert.Contains("No goods or services were provided in exchange for these contributions.", text);
        Assert.Contains("Total contributions: ¥500,000 JPY", text);
        Assert.Contains("Deductible total: ¥500,000 JPY", text);
    }

    [Fact]
    public async Task Donor_whose_gifts_were_all_refunded_gets_no_statement()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        var refunded = await app.DonorAsync("Refunded Reader", "refunded@example.com");
        await app.GiftAsync(refunded, Utc(2025, 4, 1, 12, 0), 2500, refunded: 2500);
        var giver = await app.DonorAsync("Kept Reader", "kept@example.com");
        await app.GiftAsync(giver, Utc(2025, 4, 1, 12, 0), 2500);

        var run = await app.RunStatementsAsync(2025);

        Assert.Equal((2, 1, 1, 0), (run.DonorsTotal, run.Sent, run.Skipped, run.Failed));
        Assert.Equal(["kept@example.com"], app.Statements().Select(m => m.To.Mailboxes.Single().Address));
        var status = await app.WithDbAsync(db => db.Statements.Where(s => s.DonorId == refunded).Select(s => s.Status).SingleAsync());
        Assert.Equal(StatementStatus.Empty, status);
    }

    [Fact]
    public async Task Signed_in_donor_downloads_the_statement_of_a_year_they_were_sent_and_no_one_elses()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        var ada = await app.DonorAsync("Ada Lovelace", "ada@example.com");
        var receipt = await app.GiftAsync(ada, Utc(2025, 4, 1, 12, 0), 2500);
        var alan = await app.DonorAsync("Alan Turing", "alan@example.com");
        await app.GiftAsync(alan, Utc(2025, 4, 1, 12, 0), 9900);
        await app.RunStatementsAsync(2025);
        var client = app.CreateClient();
        await DonorPortal.Portal.SignInAsync(app, client, ada);

        var account = await client.GetStringAsync("/manage/account");
        var pdf = await client.GetAsync("/manage/statements/2025.pdf");

        Assert.Contains("/manage/statements/2025.pdf", account);
        Assert.Equal(System.Net.HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var words = PdfText.Words(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains(receipt!, words);
        Assert.Contains("Ada Lovelace", words);
        Assert.DoesNotContain("Alan", words);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync("/manage/statements/2024.pdf")).StatusCode);
        Assert.NotEqual(System.Net.HttpStatusCode.OK, (await app.CreateClient().GetAsync("/manage/statements/2025.pdf")).StatusCode);
    }
}
