using System.Net;
using System.Net.Http.Json;
using Donations.Api.Features.Receipts;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Staff;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Receipts;

/// <summary>The finance API over HTTP with real staff sign-in: resend a receipt, see why one failed.</summary>
public sealed class ResendReceiptTests
{
    [Fact]
    public async Task Finance_staff_resend_sends_the_same_receipt_marked_as_a_copy_threaded_to_the_original()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var id = await app.SeedAsync();
        app.ScheduleReceipts(id);
        var original = ReceiptEmail.From(await app.Smtp!.WaitForMessageAsync(_ => true));
        var staff = await StaffTestSupport.SignedInAsync(app, "Finance");

        var response = await StaffTestSupport.PostApiAsync(staff, $"/api/finance/receipts/{original.Number}/resend");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<ResendReceipt.Response>();
        var copy = ReceiptEmail.From(await app.Smtp.WaitForMessageAsync(m => m.MessageId == accepted!.MessageId));
        Assert.StartsWith("COPY:", copy.Message.Subject);
        Assert.Contains(original.Number, copy.Message.Subject);
        copy.AssertSaysEverywhere("COPY", original.Number, "$25.00 USD", "No goods or services were provided in exchange for this contribution.");
        Assert.NotEqual(original.Message.MessageId, copy.Message.MessageId);
        Assert.Equal(original.Message.MessageId, copy.Message.InReplyTo);
        Assert.Contains(original.Message.MessageId, copy.Message.References);
        Assert.Equal(original.Number, copy.Number);
    }

    [Fact]
    public async Task A_copy_says_what_the_original_said_though_the_gift_its_benefits_and_the_donor_changed_since()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var id = await app.SeedAsync(d =>
        {
            d.Frequency = DonationFrequency.Monthly;
            d.Amount = 10000;
            d.BenefitsValue = 2000;
            d.BenefitsDescription = "Quarterly print edition";
            d.BenefitsTreatment = BenefitsTreatment.Deducted;
        });
        app.ScheduleReceipts(id);
        var original = ReceiptEmail.From(await app.Smtp!.WaitForMessageAsync(_ => true));
        original.AssertSaysEverywhere("Quarterly print edition", "$20.00 for each monthly payment", "Deductible amount: $80.00", "Ada Lovelace", "March 3, 2026");
        // Since then: the tier's wording and value changed and the benefits were judged again, the
        // donor corrected their name, and a later event dated the payment a day earlier.
        await app.WithDbAsync(async db =>
        {
            var d = await db.Donations.Include(x => x.Donor).SingleAsync(x => x.Id == id);
            d.BenefitsDescription = "Digital archive access";
            d.BenefitsValue = 500;
            d.BenefitsTreatment = BenefitsTreatment.Insubstantial;
            d.ReceivedAt = d.ReceivedAt.AddDays(-1);
            d.Donor!.Name = "Augusta Ada King";
            await db.SaveChangesAsync();
        });
        var staff = await StaffTestSupport.SignedInAsync(app, "Finance");

        var response = await StaffTestSupport.PostApiAsync(staff, $"/api/finance/receipts/{original.Number}/resend");

        var accepted = await response.Content.ReadFromJsonAsync<ResendReceipt.Response>();
        var copy = ReceiptEmail.From(await app.Smtp.WaitForMessageAsync(m => m.MessageId == accepted!.MessageId));
        const string marker = "COPY: this is a copy of a receipt sent earlier. It replaces nothing and is not a new gift.";
        copy.AssertSaysEverywhere(marker);
        string Unmarked(string s) => System.Text.RegularExpressions.Regex.Replace(s.Replace(marker, ""), @"\s+", " ").Trim();
        Assert.Equal(original.Text, Unmarked(copy.Text));
        Assert.Equal(original.Html, Unmarked(copy.Html));
        Assert.Equal(original.Pdf, Unmarked(copy.Pdf!));
        copy.AssertSaysNowhere("Digital archive access", "Augusta", "not substantial", "March 2, 2026");
    }

    [Fact]
    public async Task Resend_and_receipt_lookup_refuse_anyone_not_signed_in()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);

        var resend = await StaffTestSupport.PostApiAsync(app.Client, "/api/finance/receipts/2026-000001/resend");
        var lookup = await app.Client.GetAsync("/api/finance/receipts/2026-000001");

        Assert.Equal(HttpStatusCode.Unauthorized, resend.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, lookup.StatusCode);
    }

    [Fact]
    public async Task Resend_of_an_unknown_number_is_a_not_found_problem()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var staff = await StaffTestSupport.SignedInAsync(app, "Finance");

        var response = await StaffTestSupport.PostApiAsync(staff, "/api/finance/receipts/2026-999999/resend");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("2026-999999", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Staff_see_that_the_mail_server_refused_a_receipt_and_why()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        app.Smtp!.Reject("bounced@example.com");
        var id = await app.SeedAsync(email: "bounced@example.com");
        await app.ReconcileAsync(id);
        await app.SendPendingAsync();
        var number = await app.WithDbAsync(db => Task.FromResult(db.Receipts.Single(r => r.DonationId == id).Number));
        var staff = await StaffTestSupport.SignedInAsync(app, "Finance");

        var receipt = await staff.GetFromJsonAsync<GetReceipt.Response>($"/api/finance/receipts/{number}");

        Assert.Equal(nameof(ReceiptStatus.Failed), receipt!.Status);
        Assert.Contains("550", receipt.LastError);
        Assert.Equal(1, receipt.Attempts);
        Assert.Equal(id, receipt.DonationId);
    }
}
