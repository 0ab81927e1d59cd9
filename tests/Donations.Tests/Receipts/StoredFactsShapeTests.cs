using System.Text.Json.Nodes;
using Donations.Api.Infrastructure.Configuration;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Donations.Tests.Receipts;

/// <summary>
/// Stored receipt facts outlive the code that wrote them: facts written before a member existed are
/// still read, printing what they stored and taking only the missing members from the gift as it stands.
/// </summary>
public sealed class StoredFactsShapeTests
{
    [Fact]
    public async Task Facts_stored_before_newer_members_existed_are_read_and_the_missing_members_come_from_the_gift_as_it_stands()
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
            facts.Remove("DeductibilityNotice");
            facts.Remove("ReplacedDonationDate");
            facts.Remove("UsdDeductible");
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
}
