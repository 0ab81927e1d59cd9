using Donations.Api.Features.Statements;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using DonorPortal = Donations.Tests.DonorPortal;

namespace Donations.Tests.Statements;

/// <summary>
/// A statement is kept as it was issued: downloads are the emailed PDF byte for byte, and a gift
/// that changes after the statement went out brings one corrected statement, numbered and
/// referencing the first, read here as the donor reads it (text, HTML, PDF).
/// </summary>
public sealed class StatementsKeptAsIssuedTests
{
    private static byte[] AttachedPdf(MimeMessage m) =>
        PdfText.Bytes(m.Attachments.OfType<MimePart>().Single(a => a.ContentType.MimeType == "application/pdf"));

    [Fact]
    public async Task A_statement_downloaded_twice_is_byte_identical_to_the_one_emailed_even_after_its_gifts_change()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        var ada = await app.DonorAsync("Ada Lovelace", "ada-kept@example.com");
        await app.GiftAsync(ada, new DateTime(2025, 4, 1, 12, 0, 0, DateTimeKind.Utc), 2500);
        await app.RunStatementsAsync(2025);
        var emailed = Assert.Single(app.Statements());
        var number = await app.WithDbAsync(db => db.StatementDocuments.Select(d => d.Number).SingleAsync());
        Assert.Matches(@"^2025-S\d{6}$", number);
        foreach (var reading in emailed.Readings()) Assert.Contains($"Statement number: {number}", reading);

        // The gift is refunded behind the statement's back (no event, so no correction either).
        await app.WithDbAsync(db => db.Donations.Where(d => d.DonorId == ada)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.RefundedAmount, 1000).SetProperty(d => d.Status, DonationStatus.PartiallyRefunded)));
        var client = app.CreateClient();
        await DonorPortal.Portal.SignInAsync(app, client, ada);
        var first = await client.GetByteArrayAsync("/manage/statements/2025.pdf");
        var second = await client.GetByteArrayAsync("/manage/statements/2025.pdf");

        Assert.Equal(AttachedPdf(emailed), first);
        Assert.Equal(first, second);
        Assert.Contains("Deductible total: $25.00 USD", PdfText.Words(first));
    }

    [Fact]
    public async Task A_refund_in_February_brings_one_corrected_statement_that_references_the_first_and_becomes_the_download()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var gift = new OneTimeGift(Amount: 2500, Email: "grace-corrected@example.org", Name: "Grace Hopper")
        {
            PaidAt = new DateTimeOffset(2025, 11, 20, 15, 0, 0, TimeSpan.Zero),
        };
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Any(m => m.Headers.Contains("X-Receipt-Number"))), TimeSpan.FromSeconds(30), "the receipt");
        var receipt = app.Smtp!.Messages.Single(m => m.Headers.Contains("X-Receipt-Number")).Headers["X-Receipt-Number"];
        await app.RunStatementsAsync(2025);
        var original = Assert.Single(app.Statements());
        var firstNumber = await app.WithDbAsync(db => db.StatementDocuments.Select(d => d.Number).SingleAsync());

        var refund = gift.Refunded(1000, created: new DateTimeOffset(2026, 2, 12, 15, 0, 0, TimeSpan.Zero));
        await app.DeliverAndProcessAsync(refund);
        await Wait.UntilAsync(() => Task.FromResult(app.Statements().Count >= 2), TimeSpan.FromSeconds(60), "the corrected statement");
        // The same refund told again, and a correction job run once more: nothing further goes out.
        await app.DeliverAndProcessAsync(gift.Refunded(1000));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var statementId = await app.WithDbAsync(db => db.Statements.Select(s => s.Id).SingleAsync());
            await scope.ServiceProvider.GetRequiredService<CorrectStatement>().RunAsync(statementId, 0, CancellationToken.None);
        }
        await app.WaitForIdleJobsAsync();

        var statements = app.Statements();
        Assert.Equal(2, statements.Count);
        var corrected = statements[1];
        var correctionReceipt = app.Smtp.Messages.Select(m => m.Headers["X-Receipt-Number"]).Where(n => n is not null && n != receipt).Single();
        Assert.StartsWith("Corrected:", corrected.Subject);
        Assert.Equal(original.MessageId, corrected.InReplyTo);
        foreach (var reading in original.Readings())
            Assert.Contains("Deductible total: $25.00 USD", reading);
        foreach (var reading in corrected.Readings())
        {
            Assert.Contains($"Statement number: {firstNumber}-2", reading);
            Assert.Contains($"This corrected statement replaces statement {firstNumber} issued on", reading);
            Assert.Contains(correctionReceipt!, reading);
            Assert.DoesNotContain(receipt!, reading);
            Assert.Contains("Partly refunded: paid $25.00, refunded $10.00", reading);
            Assert.Contains("Deductible total: $15.00 USD", reading);
        }
        var donorId = await app.WithDbAsync(db => db.Donors.Select(d => d.Id).SingleAsync());
        var client = app.CreateClient();
        await DonorPortal.Portal.SignInAsync(app, client, donorId);
        Assert.Equal(AttachedPdf(corrected), await client.GetByteArrayAsync("/manage/statements/2025.pdf"));
    }

    [Fact]
    public async Task Correction_jobs_racing_for_the_same_change_issue_and_send_one_corrected_statement()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.Provider = DatabaseProvider.Postgres; });
        var alan = await app.DonorAsync("Alan Turing", "alan-race@example.com");
        await app.GiftAsync(alan, new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc), 5000);
        await app.RunStatementsAsync(2025);
        var statementId = await app.WithDbAsync(db => db.Statements.Select(s => s.Id).SingleAsync());
        // A second gift of 2025 arrives late (a bank debit dated 30 December, settled in January) with its receipt sent.
        await app.GiftAsync(alan, new DateTime(2025, 12, 30, 17, 0, 0, DateTimeKind.Utc), 2000);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CorrectStatement>().RunAsync(statementId, 0, CancellationToken.None);
        }));
        await app.WaitForIdleJobsAsync();

        Assert.Equal(2, app.Statements().Count);
        var documents = await app.WithDbAsync(db => db.StatementDocuments.OrderBy(d => d.Revision)
            .Select(d => new { d.Revision, d.Status, d.Attempts }).ToListAsync());
        Assert.Equal([1, 2], documents.Select(d => d.Revision));
        Assert.Equal((StatementDocumentStatus.Sent, 1), (documents[1].Status, documents[1].Attempts));
        var corrected = app.Statements()[1];
        foreach (var reading in corrected.Readings())
            Assert.Contains("Deductible total: $70.00 USD", reading);
    }

    [Fact]
    public async Task A_change_whose_correction_request_died_with_its_process_is_found_by_the_hourly_sweep()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.Provider = DatabaseProvider.Postgres; });
        var ada = await app.DonorAsync("Ada Lovelace", "ada-swept@example.com");
        await app.GiftAsync(ada, new DateTime(2025, 5, 1, 12, 0, 0, DateTimeKind.Utc), 2500);
        await app.RunStatementsAsync(2025);
        async Task SweepAsync()
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ScheduleStatementCorrections>().SweepAsync();
            await app.WaitForIdleJobsAsync();
        }
        await SweepAsync();
        Assert.Single(app.Statements()); // nothing changed: nothing to correct

        // A late gift of 2025 (a bank debit dated 30 December) recorded, and the process gone before
        // it asked for the correction.
        await app.GiftAsync(ada, new DateTime(2025, 12, 30, 17, 0, 0, DateTimeKind.Utc), 2000);
        Assert.Single(app.Statements());
        await SweepAsync();

        var statements = app.Statements();
        Assert.Equal(2, statements.Count);
        foreach (var reading in statements[1].Readings())
            Assert.Contains("Deductible total: $45.00 USD", reading);
    }
}
