using System.Net;
using System.Text.RegularExpressions;
using Donations.Api.Features.Statements;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Donations.Tests.Statements;

/// <summary>
/// Donors and gifts stored straight through the DbContext, each with the receipts the receipts
/// feature would have left (sent; voided and replaced after refunds), so nothing else stirs.
/// </summary>
public static class Ledger
{
    private static int _sequence;

    public static Task<long> DonorAsync(this DonationsApp app, string name, string email) =>
        app.WithDbAsync(async db =>
        {
            var donor = new Donor { Email = email, Name = name, CreatedAt = DateTime.UtcNow };
            db.Donors.Add(donor);
            await db.SaveChangesAsync();
            return donor.Id;
        });

    /// <summary>A settled gift received at <paramref name="receivedAtUtc"/>; returns its standing receipt number (null if none stands).</summary>
    public static Task<string?> GiftAsync(this DonationsApp app, long donorId, DateTime receivedAtUtc, long amount,
        string currency = "usd", DonationFrequency frequency = DonationFrequency.OneTime, long refunded = 0,
        long benefitsValue = 0, string? benefits = null, int receiptYear = 0) =>
        app.WithDbAsync(async db =>
        {
            var key = Guid.NewGuid().ToString("N");
            var donation = new Donation
            {
                SettlementKey = "pi:pi_" + key,
                DonorId = donorId,
                Amount = amount,
                Currency = currency,
                Frequency = frequency,
                Status = refunded == 0 ? DonationStatus.Succeeded : refunded >= amount ? DonationStatus.Refunded : DonationStatus.PartiallyRefunded,
                RefundedAmount = refunded,
                ChargeRefundedAmount = refunded,
                BenefitsValue = benefitsValue,
                BenefitsDescription = benefits,
                ReceivedAt = receivedAtUtc,
                CreatedAt = DateTime.UtcNow,
                StripePaymentIntentId = "pi_" + key,
            };
            var year = receiptYear == 0 ? receivedAtUtc.Year : receiptYear;
            var original = Receipt(year, ReceiptKind.Original, amount, currency, benefitsValue);
            donation.Receipts.Add(original);
            Receipt? standing = original;
            if (refunded > 0)
            {
                original.Status = ReceiptStatus.Voided;
                var kind = refunded >= amount ? ReceiptKind.VoidNotice : ReceiptKind.Correction;
                var replacement = Receipt(year, kind, refunded >= amount ? amount : amount - refunded, currency, benefitsValue);
                donation.Receipts.Add(replacement);
                standing = kind == ReceiptKind.Correction ? replacement : null;
            }
            db.Donations.Add(donation);
            await db.SaveChangesAsync();
            return standing?.Number;
        });

    private static Receipt Receipt(int year, ReceiptKind kind, long amount, string currency, long benefits)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        return new Receipt
        {
            Number = $"{year}-{sequence:D6}",
            Year = year,
            Sequence = sequence,
            Kind = kind,
            Status = ReceiptStatus.Sent,
            Amount = amount,
            Currency = currency,
            DeductibleAmount = kind == ReceiptKind.VoidNotice ? 0 : Math.Max(0, amount - benefits),
            IssuedAt = DateTime.UtcNow,
            SentAt = DateTime.UtcNow,
            MessageId = $"receipt-{year}-{sequence}.{Guid.NewGuid():N}@example.org",
        };
    }

    /// <summary>Starts a run the way staff and the command line do, and waits for it to complete.</summary>
    public static async Task<StatementRun> RunStatementsAsync(this DonationsApp app, int year, bool resend = false, TimeSpan? timeout = null)
    {
        long runId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var run = await scope.ServiceProvider.GetRequiredService<StartStatementRun>()
                .StartAsync(new StartStatementRun.Request(year, resend, "tests"), CancellationToken.None);
            runId = run.Id;
        }
        return await app.WaitForRunAsync(runId, timeout);
    }

    public static async Task<StatementRun> WaitForRunAsync(this DonationsApp app, long runId, TimeSpan? timeout = null, Action<StatementRun>? observe = null)
    {
        StatementRun? current = null;
        await Wait.UntilAsync(async () =>
        {
            current = await app.WithDbAsync(db => db.StatementRuns.AsNoTracking().SingleAsync(r => r.Id == runId));
            observe?.Invoke(current);
            return current.Status == StatementRunStatus.Completed;
        }, timeout ?? TimeSpan.FromSeconds(30), $"statement run {runId} to complete");
        return current!;
    }

    public static bool IsStatement(this MimeMessage m) => m.Headers.Contains(StatementDocuments.YearHeader);

    public static IReadOnlyList<MimeMessage> Statements(this DonationsApp app) =>
        (app.Smtp?.Messages ?? app.OutboxMessages()).Where(IsStatement).ToList();

    /// <summary>The statement as its donor reads it: the text body, the HTML body's visible text and the PDF's words, whitespace collapsed.</summary>
    public static IEnumerable<string> Readings(this MimeMessage m) =>
        [Flat(m.TextBody ?? ""), Flat(WebUtility.HtmlDecode(Regex.Replace(m.HtmlBody ?? "", "<[^>]+>", " "))), m.PdfText()];

    private static string Flat(string s) => Regex.Replace(s, @"\s+", " ");

    public static string PdfText(this MimeMessage message)
    {
        var pdf = message.Attachments.OfType<MimePart>().Single(a => a.ContentType.MimeType == "application/pdf");
        return Infrastructure.PdfText.Words(pdf);
    }
}
