using System.Text.Json.Nodes;
using Donations.Api.Infrastructure.Configuration;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Donations.Tests.Receipts;

/// <summary>
/// Stored receipt facts outlive the code that wrote them: facts written before a member existed are
/// still read, printing what they stored and taking only the missing members they cannot be read
/// without from the gift as it stands; an optional line they never stated stays off.
/// </summary>
public sealed class StoredFactsShapeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // only a nested member missing: the top level alone reads whole
    public async Task Facts_stored_before_newer_members_existed_are_read_and_the_missing_required_members_come_from_the_gift_as_it_stands(bool onlyNested)
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync(name: "Grace Hopper", email: "older-facts@example.org");
        await app.ReconcileAsync(id);
        // As an older version wrote them: without members added since (required ones among them,
        // nested ones too), and with a name that has since been corrected on the donor.
        await app.WithDbAsync(async db =>
        {
            var document = await db.ReceiptDocuments.SingleAsync(d => db.Receipts.Any(r => r.Id == d.ReceiptId && r.DonationId == id));
            var facts = JsonNode.Parse(document.Facts!)!.AsObject();
            if (!onlyNested)
            {
                facts.Remove("DeductibilityNotice");
                facts.Remove("ReplacedDonationDate");
                facts.Remove("UsdDeductible");
            }
            facts["Organization"]!.AsObject().Remove("Signatory");
            facts["DonorName"] = "Grace B. Hopper";
            document.Facts = facts.ToJsonString();
            await db.SaveChangesAsync();
        });

        await app.SendPendingAsync();

        var org = app.Services.GetRequiredService<IOptions<OrganizationOptions>>().Value;
        var receipt = ReceiptEmail.From(Assert.Single(app.Smtp!.Messages));
        // The email is rendered from the facts (the PDF was stored with the original ones).
        Assert.Contains("Grace B. Hopper", receipt.Html);
        Assert.Contains("Grace B. Hopper", receipt.Text);
        Assert.Contains(org.DeductibilityNotice, receipt.Text);
        Assert.Contains(org.ReceiptSignatory, receipt.Text);
    }

    [Fact]
    public async Task A_copy_of_a_receipt_stored_before_the_USD_line_existed_does_not_gain_one()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync(d => { d.Amount = 5000; d.Currency = "eur"; }, email: "older-eur@example.org");
        await UsdEquivalentTests.SettledAsync(app, id, 5412, 1.0823m);
        await app.ReconcileAsync(id);
        await app.WithDbAsync(async db =>
        {
            var document = await db.ReceiptDocuments.SingleAsync(d => db.Receipts.Any(r => r.Id == d.ReceiptId && r.DonationId == id));
            var facts = JsonNode.Parse(document.Facts!)!.AsObject();
            Assert.NotNull(facts["UsdAmount"]); // the gift's settlement is known: today's facts state it
            facts.Remove("UsdAmount");
            facts.Remove("UsdDeductible");
            document.Facts = facts.ToJsonString();
            await db.SaveChangesAsync();
        });

        await app.SendPendingAsync();

        var receipt = ReceiptEmail.From(Assert.Single(app.Smtp!.Messages));
        Assert.Contains("€50.00 EUR", receipt.Text);
        Assert.DoesNotContain("USD equivalent", receipt.Text);
        Assert.DoesNotContain("USD equivalent", receipt.Html);
    }
}
