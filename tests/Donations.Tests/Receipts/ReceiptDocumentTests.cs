using Donations.Api.Features.Receipts;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Donations.Tests.Receipts;

/// <summary>A receipt's PDF is rendered once, when it is issued; every send and download uses those bytes.</summary>
public sealed class ReceiptDocumentTests
{
    [Fact]
    public async Task The_PDF_is_stored_when_the_receipt_is_issued_and_the_email_and_the_download_carry_exactly_it()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync(name: "Grace Hopper");
        await app.ReconcileAsync(id);

        // Issued, not yet sent: the document is already there.
        Assert.Empty(app.Smtp!.Messages);
        var (receiptId, number, stored) = await StoredDocumentAsync(app, id);
        var words = PdfText.Words(stored);
        Assert.Contains(number, words);
        Assert.Contains("Grace Hopper", words);

        await app.SendPendingAsync();

        var message = Assert.Single(app.Smtp.Messages);
        Assert.Equal(stored, AttachedPdf(message));
        Assert.Equal(stored, await DownloadAsync(app, receiptId));
    }

    [Fact]
    public async Task A_receipt_issued_without_its_PDF_gets_it_from_its_first_send_and_keeps_that_one()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync();
        await app.ReconcileAsync(id);
        // What a crash between issuing the receipt and storing its PDF leaves behind.
        await app.WithDbAsync(db => db.ReceiptDocuments.ExecuteDeleteAsync());

        await app.SendPendingAsync();

        var (receiptId, number, stored) = await StoredDocumentAsync(app, id);
        var attached = AttachedPdf(Assert.Single(app.Smtp!.Messages));
        Assert.Equal(stored, attached);
        Assert.Contains(number, PdfText.Words(attached));
        Assert.Equal(stored, await DownloadAsync(app, receiptId));
    }

    [Fact]
    public async Task A_void_notice_is_stored_as_a_PDF_when_issued_and_its_email_and_download_carry_exactly_it()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync(name: "Grace Hopper");
        await app.ReconcileAsync(id);
        await app.SendPendingAsync();
        var receipt = await app.WithDbAsync(db => db.Receipts.Select(r => r.Number).SingleAsync());

        await app.RefundAsync(id, 2500);
        await app.ReconcileAsync(id);
        var (noticeId, notice, stored) = await app.WithDbAsync(async db =>
        {
            var r = await db.Receipts.SingleAsync(x => x.DonationId == id && x.Kind == ReceiptKind.VoidNotice);
            return (r.Id, r.Number, (await db.ReceiptDocuments.SingleAsync(d => d.ReceiptId == r.Id)).Pdf);
        });
        await app.SendPendingAsync();

        var words = PdfText.Words(stored);
        Assert.Contains($"Receipt {receipt} is void", words);
        Assert.Contains($"Notice number: {notice}", words);
        var message = app.Smtp!.Messages.Single(m => m.Headers["X-Receipt-Number"] == notice);
        Assert.Equal(stored, AttachedPdf(message));
        Assert.Equal(stored, await DownloadAsync(app, noticeId));
    }

    [Fact]
    public async Task A_template_edited_after_a_receipt_was_issued_changes_its_email_text_but_not_its_PDF()
    {
        var folder = Directory.CreateTempSubdirectory("receipt-templates-").FullName;
        var template = Path.Combine(folder, "receipt.txt.liquid");
        try
        {
            await File.WriteAllTextAsync(template, "Receipt number: {{ number }}\nAmount: {{ amount }}\nFirst edition of the wording.");
            await using var app = await DonationsApp.StartAsync(o =>
            {
                o.UseSmtp = true;
                o.HangfireServer = false;
                o.Settings["Email:TemplatesDirectory"] = folder;
            });
            var id = await app.SeedAsync(name: "Grace Hopper");
            await app.ReconcileAsync(id);
            var (receiptId, number, issued) = await StoredDocumentAsync(app, id);

            await File.WriteAllTextAsync(template, "Receipt number: {{ number }}\nAmount: {{ amount }}\nSecond edition of the wording.");
            File.SetLastWriteTimeUtc(template, DateTime.UtcNow.AddMinutes(1));
            await app.SendPendingAsync();

            var message = Assert.Single(app.Smtp!.Messages);
            Assert.Contains("Second edition of the wording.", message.TextBody); // the edit is live for what is rendered now
            Assert.Equal(issued, AttachedPdf(message));
            Assert.Equal(issued, await DownloadAsync(app, receiptId));
            var words = PdfText.Words(issued);
            Assert.Contains($"Receipt number: {number}", words);
            Assert.Contains("First edition of the wording.", words);
            Assert.DoesNotContain("Second edition", words);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(long ReceiptId, string Number, byte[] Pdf)> StoredDocumentAsync(DonationsApp app, long donationId) =>
        await app.WithDbAsync(async db =>
        {
            var receipt = await db.Receipts.SingleAsync(r => r.DonationId == donationId);
            var document = await db.ReceiptDocuments.SingleAsync(d => d.ReceiptId == receipt.Id);
            return (receipt.Id, receipt.Number, document.Pdf);
        });

    /// <summary>What the donor portal's download answers with.</summary>
    private static async Task<byte[]?> DownloadAsync(DonationsApp app, long receiptId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReceiptMessages>().PdfAsync(receiptId, CancellationToken.None);
    }

    private static byte[] AttachedPdf(MimeMessage message)
    {
        var part = message.Attachments.OfType<MimePart>().Single(a => a.ContentType.MimeType == "application/pdf");
        return PdfText.Bytes(part);
    }
}
