using Donations.Api.Features.Receipts;
using Donations.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

public sealed class ReceiptTemplateTests
{
    [Fact]
    public async Task An_organisation_edits_a_template_in_its_own_folder_and_the_shipped_ones_fill_the_rest()
    {
        var folder = Directory.CreateTempSubdirectory("receipt-templates-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "receipt.subject.liquid"),
                "Thank you, {{ donor_name }}! Receipt {{ number }} ({{ amount }})");
            await using var app = await DonationsApp.StartAsync(o => o.Settings["Email:TemplatesDirectory"] = folder);
            var id = await app.SeedAsync(name: "Grace Hopper");

            app.ScheduleReceipts(id);

            await Wait.UntilAsync(() => Task.FromResult(app.OutboxMessages().Count == 1), TimeSpan.FromSeconds(30), "the receipt in the outbox");
            var receipt = ReceiptEmail.From(app.OutboxMessages().Single());
            Assert.Equal($"Thank you, Grace Hopper! Receipt {receipt.Number} ($25.00)", receipt.Message.Subject);
            receipt.AssertSaysEverywhere("No goods or services were provided in exchange for this contribution.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_pdf_offered_for_download_says_what_the_emailed_one_says()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var id = await app.SeedAsync(d => { d.Amount = 7500; d.Currency = "eur"; });
        await app.ReconcileAsync(id);
        var receipt = await app.WithDbAsync(db => Task.FromResult(db.Receipts.Single(r => r.DonationId == id)));

        await using var scope = app.Services.CreateAsyncScope();
        var pdf = await scope.ServiceProvider.GetRequiredService<ReceiptMessages>().PdfAsync(receipt.Id, CancellationToken.None);

        Assert.NotNull(pdf);
        var words = PdfText.Words(pdf);
        Assert.Contains($"Donation receipt {receipt.Number}", words);
        Assert.Contains("Amount: €75.00 EUR", words);
        Assert.Contains("Please keep this receipt for your tax records.", words);
    }
}
