using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.DonorPortal;
using Donations.Tests.Infrastructure;
using Donations.Tests.Statements;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Privacy;

/// <summary>What the donor's data download holds beyond their details: tax treatment, disputes, receipts, Stripe's events, statements.</summary>
public sealed class DataExportContentsTests
{
    [Fact]
    public async Task Each_gift_in_the_download_says_how_it_counted_for_tax_its_refunds_its_dispute_and_every_receipt_issued_for_it()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var ada = await app.DonorAsync("Ada Lovelace", "ada@example.org");
        var grace = await app.DonorAsync("Grace Hopper", "grace@example.org");
        var received = DateTime.UtcNow.AddDays(-30);
        var corrected = await app.GiftAsync(ada, received, 10000, refunded: 2000, benefitsValue: 2500, benefits: "Tote bag");
        Assert.Null(await app.GiftAsync(ada, received.AddDays(1), 3000, refunded: 3000));
        await app.GiftAsync(ada, received.AddDays(2), 4000);
        await app.GiftAsync(ada, received.AddDays(3), 5000);
        await app.GiftAsync(grace, received, 7700);
        await app.WithDbAsync(async db =>
        {
            await db.Donations.Where(d => d.Amount == 4000).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.DisputeStatus, "needs_response").SetProperty(d => d.Status, DonationStatus.Disputed).SetProperty(d => d.StripeDisputeId, "dp_open"));
            await db.Donations.Where(d => d.Amount == 5000).ExecuteUpdateAsync(u => u.SetProperty(d => d.DisputeStatus, "won"));
            // The correction names the receipt it replaces, as the receipts feature records it.
            var replaced = await db.Receipts.Where(r => r.Donation!.Amount == 10000 && r.Kind == ReceiptKind.Original).Select(r => r.Id).SingleAsync();
            await db.Receipts.Where(r => r.Number == corrected).ExecuteUpdateAsync(u => u.SetProperty(r => r.ReplacesReceiptId, replaced));
        });
        var receipts = await app.WithDbAsync(db => db.Receipts.AsNoTracking().Include(r => r.Donation).OrderBy(r => r.Sequence).ToListAsync());

        var (zip, root) = await DownloadAsync(app, ada);

        var gifts = root.GetProperty("gifts").EnumerateArray().ToDictionary(g => g.GetProperty("amount").GetInt64());
        Assert.Equal([3000L, 4000, 5000, 10000], gifts.Keys.Order());
        var tax = gifts[10000].GetProperty("tax");
        Assert.Equal((8000L, "Deducted", 2500L, 5500L), (tax.GetProperty("stated_amount").GetInt64(), tax.GetProperty("benefits_treatment").GetString(),
            tax.GetProperty("benefits_value_deducted").GetInt64(), tax.GetProperty("deductible_amount").GetInt64()));
        Assert.Equal(2000, gifts[10000].GetProperty("refunds").GetProperty("refunded_by_stripe").GetInt64());
        Assert.Equal(0, gifts[3000].GetProperty("tax").GetProperty("stated_amount").GetInt64());
        Assert.Equal(JsonValueKind.Null, gifts[10000].GetProperty("dispute").ValueKind);
        Assert.Equal(("open", "needs_response", "dp_open"), (gifts[4000].GetProperty("dispute").GetProperty("outcome").GetString(),
            gifts[4000].GetProperty("dispute").GetProperty("stripe_status").GetString(), gifts[4000].GetProperty("dispute").GetProperty("stripe_dispute_id").GetString()));
        Assert.Equal("won", gifts[5000].GetProperty("dispute").GetProperty("outcome").GetString());

        var original = receipts.Single(r => r.Donation!.Amount == 10000 && r.Kind == ReceiptKind.Original);
        Assert.Equal([(original.Number, "Original", "Voided", (string?)null), (corrected!, "Correction", "Sent", original.Number)],
            gifts[10000].GetProperty("receipts").EnumerateArray().Select(r => (r.GetProperty("number").GetString()!, r.GetProperty("kind").GetString(),
                r.GetProperty("status").GetString(), r.GetProperty("replaces").GetString())));
        var voidNotice = receipts.Single(r => r.Donation!.Amount == 3000 && r.Kind == ReceiptKind.VoidNotice);
        Assert.Contains(gifts[3000].GetProperty("receipts").EnumerateArray(), r => r.GetProperty("number").GetString() == voidNotice.Number);
        Assert.Contains($"receipts/void-notice-{voidNotice.Number}.pdf", zip.Entries.Select(e => e.FullName));
        Assert.Contains($"receipts/receipt-{corrected}.pdf", zip.Entries.Select(e => e.FullName));

        var graces = receipts.Single(r => r.Donation!.DonorId == grace).Number;
        Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains(graces));
        Assert.DoesNotContain(graces, root.GetRawText());
        Assert.DoesNotContain("7700", root.GetRawText());
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_download_holds_every_Stripe_event_stored_about_the_donor_as_stored_and_none_about_another_donor_whose_ids_merely_contain_theirs(
        DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = provider);
        var ada = new OneTimeGift(Amount: 2500, Email: "ada@example.org", Name: "Ada Lovelace")
            { CustomerId = "cus_test_adalovelace", PaymentIntentId = "pi_test_shared0001", ChargeId = "ch_test_ada0001" };
        // Grace's ids begin with Ada's: found by the search for Ada's, and still not hers.
        var grace = new OneTimeGift(Amount: 4000, Email: "grace@example.org", Name: "Grace Hopper")
            { CustomerId = "cus_test_adalovelace2", PaymentIntentId = "pi_test_shared00012", ChargeId = "ch_test_ada00012" };
        string[] adas = [ada.CheckoutCompleted(), ada.Refunded(1000)];
        await app.DeliverAndProcessAsync([.. adas, grace.CheckoutCompleted(), grace.Refunded(500)]);
        await app.WaitForIdleJobsAsync();
        var adaId = await app.WithDbAsync(db => db.Donors.Where(d => d.Email == "ada@example.org").Select(d => d.Id).SingleAsync());
        // A long-standing donor's history: more events than one page of the download reads at a time.
        var now = DateTime.UtcNow;
        var history = Enumerable.Range(1, 130).Select(i => new StripeEvent
        {
            Id = $"evt_history_{i:D4}", Type = "customer.updated", Source = "webhook", Status = StripeEventStatus.Ignored,
            CreatedAt = now.AddDays(-200 + i), ReceivedAt = now.AddDays(-200 + i),
            Payload = new JsonObject
            {
                ["id"] = $"evt_history_{i:D4}", ["type"] = "customer.updated",
                ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = "cus_test_adalovelace", ["object"] = "customer", ["email"] = "ada@example.org", ["balance"] = i } },
            }.ToJsonString(),
        }).ToList();
        await app.WithDbAsync(async db => { db.StripeEvents.AddRange(history); await db.SaveChangesAsync(); });
        var stored = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().ToDictionaryAsync(e => e.Id));

        var (_, root) = await DownloadAsync(app, adaId);

        var events = root.GetProperty("stripe_events").EnumerateArray().ToList();
        var expected = history.Select(e => e.Id).Concat(adas.Select(StripeEventFactory.IdOf)).ToList();
        Assert.Equal(expected, events.Select(e => e.GetProperty("id").GetString()));
        foreach (var e in events)
        {
            var row = stored[e.GetProperty("id").GetString()!];
            Assert.Equal((row.Type, row.Status.ToString()), (e.GetProperty("type").GetString(), e.GetProperty("status").GetString()));
            Assert.Equal(row.ReceivedAt, e.GetProperty("received_at").GetDateTime(), TimeSpan.FromMilliseconds(1));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(row.Payload), JsonNode.Parse(e.GetProperty("payload").GetRawText())), row.Id);
        }
        Assert.Equal(["checkout.session.completed", "charge.refunded"], events.TakeLast(2).Select(e => e.GetProperty("type").GetString()));
        Assert.DoesNotContain("grace", root.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("00012", root.GetRawText());
    }

    [Fact]
    public async Task The_download_holds_every_statement_issued_to_the_donor_the_first_and_its_correction_as_stored()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var ada = await app.DonorAsync("Ada Lovelace", "ada@example.org");
        var grace = await app.DonorAsync("Grace Hopper", "grace@example.org");
        var year = DateTime.UtcNow.Year - 1;
        var now = DateTime.UtcNow;
        await app.WithDbAsync(async db =>
        {
            foreach (var (donor, who) in new[] { (ada, "ada"), (grace, "grace") })
            {
                var statement = new Statement { DonorId = donor, Year = year, Status = StatementStatus.Sent, MessageId = $"{who}@example.org", CreatedAt = now, SentAt = now };
                db.Statements.Add(statement);
                db.StatementDocuments.Add(Document(statement, 1, $"{year}-S{donor:D6}", $"{who} first", StatementDocumentStatus.Pending, null));
                db.StatementDocuments.Add(Document(statement, 2, $"{year}-S{donor:D6}-2", $"{who} corrected", StatementDocumentStatus.Sent, now.AddDays(3)));
            }
            await db.SaveChangesAsync();
        });

        var (zip, root) = await DownloadAsync(app, ada);

        Assert.Equal("ada corrected", Encoding.UTF8.GetString(Read(zip, $"statements/{Api.Features.Statements.StatementPdf.FileName(year)}")));
        Assert.Equal("ada first", Encoding.UTF8.GetString(Read(zip, $"statements/statement-{year}-S{ada:D6}.pdf")));
        var statement = Assert.Single(root.GetProperty("statements").EnumerateArray());
        Assert.Equal([($"{year}-S{ada:D6}", 1, "Sent"), ($"{year}-S{ada:D6}-2", 2, "Sent")], statement.GetProperty("documents").EnumerateArray()
            .Select(d => (d.GetProperty("number").GetString(), d.GetProperty("revision").GetInt32(), d.GetProperty("status").GetString())));
        Assert.Equal(3, zip.Entries.Count(e => e.FullName.StartsWith("statements/", StringComparison.Ordinal)) + 1);
        Assert.DoesNotContain("grace", root.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains($"S{grace:D6}"));
    }

    private static StatementDocument Document(Statement statement, int revision, string number, string pdf, StatementDocumentStatus status, DateTime? sentAt) => new()
    {
        Statement = statement, Revision = revision, Number = number, IssuedAt = DateTime.UtcNow, Pdf = Encoding.UTF8.GetBytes(pdf),
        Fingerprint = $"fp-{number}", Status = status, SentAt = sentAt, MessageId = revision == 1 ? null : $"{number}@example.org",
    };

    private static async Task<(ZipArchive Zip, JsonElement Root)> DownloadAsync(DonationsApp app, long donorId)
    {
        var client = app.CreateClient();
        await Portal.SignInAsync(app, client, donorId);
        var answer = await client.GetAsync("/manage/account/data.zip");
        answer.EnsureSuccessStatusCode();
        var bytes = new MemoryStream(await answer.Content.ReadAsByteArrayAsync());
        var zip = new ZipArchive(bytes);
        using var json = JsonDocument.Parse(zip.GetEntry("donor.json")!.Open());
        return (zip, json.RootElement.Clone());
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var entry = zip.GetEntry(name)!.Open();
        using var bytes = new MemoryStream();
        entry.CopyTo(bytes);
        return bytes.ToArray();
    }
}
