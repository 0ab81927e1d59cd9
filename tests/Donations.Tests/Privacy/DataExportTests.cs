using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Donations.Data.Entities;
using Donations.Tests.DonorPortal;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Privacy;

public sealed class DataExportTests
{
    [Fact]
    public async Task A_donor_downloads_everything_held_about_them_as_one_zip_of_json_and_their_pdfs_and_nothing_of_anyone_else()
    {
        await using var app = await DonationsApp.StartAsync();
        var ada = new OneTimeGift(Amount: 2500, Email: "ada@example.org", Name: "Ada Lovelace") { CustomerId = "cus_ada" };
        var grace = new OneTimeGift(Amount: 4000, Email: "grace@example.org", Name: "Grace Hopper");
        await app.DeliverAndProcessAsync(ada.CheckoutCompleted(), grace.CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        var year = DonationsApp.OrganizationYear(ada.PaidAt);
        var donor = await app.WithDbAsync(db => db.Donors.SingleAsync(d => d.Email == "ada@example.org"));
        var receipt = await app.WithDbAsync(db => db.Receipts.Where(r => r.Donation!.DonorId == donor.Id).Select(r => r.Number).SingleAsync());
        await app.WithDbAsync(async db =>
        {
            db.Statements.Add(new Statement { DonorId = donor.Id, Year = year, Status = StatementStatus.Sent, MessageId = "s@example.org", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        var client = app.CreateClient();
        await Portal.SignInAsync(app, client, donor.Id);
        Assert.Contains("href=\"/manage/account/data.zip\"", await client.GetStringAsync("/manage/account"));

        var answer = await client.GetAsync("/manage/account/data.zip");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("application/zip", answer.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await answer.Content.ReadAsStreamAsync());
        Assert.Equal(["donor.json", $"receipts/receipt-{receipt}.pdf", $"statements/{Api.Features.Statements.StatementPdf.FileName(year)}"],
            zip.Entries.Select(e => e.FullName).Order());
        using var json = JsonDocument.Parse(zip.GetEntry("donor.json")!.Open());
        var root = json.RootElement;
        Assert.Equal("ada@example.org", root.GetProperty("donor").GetProperty("email").GetString());
        Assert.Equal("Ada Lovelace", root.GetProperty("donor").GetProperty("name").GetString());
        var gift = Assert.Single(root.GetProperty("gifts").EnumerateArray());
        Assert.Equal(2500, gift.GetProperty("amount").GetInt64());
        Assert.Equal(receipt, Assert.Single(root.GetProperty("receipts").EnumerateArray()).GetProperty("number").GetString());
        Assert.DoesNotContain("grace", root.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Ada Lovelace", PdfText.Words(Read(zip, $"receipts/receipt-{receipt}.pdf")));
        Assert.Contains("25.00", PdfText.Words(Read(zip, $"statements/{Api.Features.Statements.StatementPdf.FileName(year)}")));
    }

    [Fact]
    public async Task The_download_holds_the_donors_address_where_their_gifts_came_from_and_every_change_and_reason_they_gave_for_their_monthly_gift()
    {
        await using var app = await DonationsApp.StartAsync();
        var now = DateTime.UtcNow;
        var donor = new Donor { Email = "ada@example.org", Name = "Ada Lovelace", Address = "12 St James's Square, London", Country = "GB", CreatedAt = now };
        var membership = new Membership
        {
            Donor = donor, StripeSubscriptionId = "sub_ada", Status = "canceled", MonthlyAmount = 12360, Interval = "year", FeeAmount = 360,
            Currency = "usd", StartedAt = now.AddYears(-1), LastEventAt = now, CanceledAt = now, LapsedAt = now, CancellationReason = "Moving abroad",
        };
        await app.WithDbAsync(async db =>
        {
            db.Donations.Add(new Donation
            {
                SettlementKey = "pi:pi_ada", Donor = donor, Amount = 12360, Currency = "usd", ReceivedAt = now.AddYears(-1),
                Campaign = "spring", Source = "newsletter", UtmMedium = "email", UtmContent = "footer", UtmTerm = "science",
            });
            db.Memberships.Add(membership);
            await db.SaveChangesAsync();
            db.GiftChanges.Add(new GiftChange
            {
                MembershipId = membership.Id, DonorId = donor.Id, Kind = "cancel", Summary = "Your annual gift will end", Reason = "Moving abroad",
                RequestKey = "rk_1", RequestedAt = now.AddDays(-1), MessageId = "c@example.org", EmailSentAt = now.AddDays(-1),
            });
            db.MembershipAmountChanges.Add(new MembershipAmountChange { MembershipId = membership.Id, ChangedAt = now.AddMonths(-6), FromAmount = 10300, ToAmount = 12360, Interval = "year", Upgrade = true });
            db.MembershipStatusChanges.Add(new MembershipStatusChange { MembershipId = membership.Id, ChangedAt = now.AddMonths(-2), Status = "past_due" });
            db.MembershipPaymentFailures.Add(new MembershipPaymentFailure { MembershipId = membership.Id, StripeInvoiceId = "in_ada_failed", FailedAt = now.AddMonths(-2) });
            await db.SaveChangesAsync();
        });
        var client = app.CreateClient();
        await Portal.SignInAsync(app, client, donor.Id);

        using var zip = new ZipArchive(await (await client.GetAsync("/manage/account/data.zip")).Content.ReadAsStreamAsync());
        using var json = JsonDocument.Parse(zip.GetEntry("donor.json")!.Open());
        var root = json.RootElement;

        Assert.Equal("12 St James's Square, London", root.GetProperty("donor").GetProperty("address").GetString());
        Assert.Equal("GB", root.GetProperty("donor").GetProperty("country").GetString());
        var gift = Assert.Single(root.GetProperty("gifts").EnumerateArray());
        Assert.Equal(["spring", "newsletter", "email", "footer", "science"],
            new[] { "campaign", "source", "utm_medium", "utm_content", "utm_term" }.Select(k => gift.GetProperty(k).GetString()));
        var monthly = Assert.Single(root.GetProperty("monthly_gifts").EnumerateArray());
        Assert.Equal("year", monthly.GetProperty("interval").GetString());
        Assert.Equal(360, monthly.GetProperty("fee_amount").GetInt64());
        Assert.Equal("Moving abroad", monthly.GetProperty("cancellation_reason").GetString());
        var change = Assert.Single(monthly.GetProperty("changes").EnumerateArray());
        Assert.Equal(["cancel", "Your annual gift will end", "Moving abroad"],
            new[] { "kind", "summary", "reason" }.Select(k => change.GetProperty(k).GetString()));
        var amount = Assert.Single(monthly.GetProperty("amount_history").EnumerateArray());
        Assert.Equal((10300, 12360), (amount.GetProperty("from_amount").GetInt64(), amount.GetProperty("to_amount").GetInt64()));
        Assert.Contains(monthly.GetProperty("status_history").EnumerateArray(), c => c.GetProperty("status").GetString() == "past_due");
        Assert.Equal("in_ada_failed", Assert.Single(monthly.GetProperty("failed_payments").EnumerateArray()).GetProperty("stripe_invoice_id").GetString());
    }

    [Fact]
    public async Task A_donor_gets_a_few_downloads_an_hour_then_is_asked_to_wait_while_another_donor_is_not()
    {
        await using var app = await DonationsApp.StartAsync();
        var ada = new OneTimeGift(Amount: 2500, Email: "ada-limit@example.org", Name: "Ada Lovelace");
        var grace = new OneTimeGift(Amount: 4000, Email: "grace-limit@example.org", Name: "Grace Hopper");
        await app.DeliverAndProcessAsync(ada.CheckoutCompleted(), grace.CheckoutCompleted());
        var ids = await app.WithDbAsync(db => db.Donors.OrderBy(d => d.Email).Select(d => d.Id).ToListAsync());
        var (adaClient, graceClient) = (app.CreateClient(), app.CreateClient());
        await Portal.SignInAsync(app, adaClient, ids[0]);
        await Portal.SignInAsync(app, graceClient, ids[1]);

        for (var i = 0; i < Api.Features.Privacy.DataDownloadLimits.PerHour; i++)
        {
            using var allowed = await adaClient.GetAsync("/manage/account/data.zip");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            await allowed.Content.ReadAsByteArrayAsync(); // the whole file, so the lease is given back
        }
        using var refused = await adaClient.GetAsync("/manage/account/data.zip");
        using var other = await graceClient.GetAsync("/manage/account/data.zip");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromHours(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task The_data_download_needs_a_donor_session()
    {
        await using var app = await DonationsApp.StartAsync();

        var answer = await app.CreateClient().GetAsync("/manage/account/data.zip");

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/manage", answer.Headers.Location?.OriginalString);
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var entry = zip.GetEntry(name)!.Open();
        using var bytes = new MemoryStream();
        entry.CopyTo(bytes);
        return bytes.ToArray();
    }
}
