using System.Globalization;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Documents;
using Donations.Api.Infrastructure.Email;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Donations.Api.Features.Statements;

/// <summary>
/// Reads donors' gifts for a tax year and turns them into the statement: subject, HTML and text
/// from the editable <c>statement.*.liquid</c> templates, and a PDF laid out from the text.
/// </summary>
public sealed class StatementDocuments(
    DonationsDbContext db,
    OutboundMail mail,
    IOptions<OrganizationOptions> organization,
    TimeProvider clock)
{
    public const string YearHeader = "X-Statement-Year";
    private const string Template = "statement";

    public StatementYear YearOf(int year) => StatementYear.Of(year, organization.Value.GetTimeZone());

    public string NewMessageId(long donorId, int year) => mail.NewMessageId($"statement-{year}-{donorId}");

    /// <summary>The ledgers of a few donors (a batch), in two queries; every donor asked for has one.</summary>
    public async Task<Dictionary<long, StatementLedger>> LoadAsync(IReadOnlyCollection<long> donorIds, int year, CancellationToken ct)
    {
        var bounds = YearOf(year);
        var donors = await db.Donors.AsNoTracking().Where(d => donorIds.Contains(d.Id)).ToListAsync(ct);
        var gifts = await db.Donations.AsNoTracking()
            .Where(d => donorIds.Contains(d.DonorId) && d.ReceivedAt >= bounds.StartUtc && d.ReceivedAt < bounds.EndUtc)
            .Include(d => d.Receipts)
            .ToListAsync(ct);
        var byDonor = gifts.ToLookup(g => g.DonorId);
        return donors.ToDictionary(d => d.Id, d => StatementLedger.Build(d, year, byDonor[d.Id]));
    }

    public async Task<MimeMessage> BuildMessageAsync(StatementLedger ledger, string messageId, CancellationToken ct)
    {
        var content = await mail.RenderAsync(Template, Model(ledger));
        ct.ThrowIfCancellationRequested();
        var envelope = new MailEnvelope(ledger.DonorEmail, ledger.DonorName, messageId)
        {
            Headers = [new(YearHeader, ledger.Year.ToString(CultureInfo.InvariantCulture))],
        };
        return mail.Compose(envelope, content, PdfAttachment.Create(PdfFileName(ledger.Year), Pdf(content.Text, content.Subject)));
    }

    public async Task<byte[]> RenderPdfAsync(StatementLedger ledger)
    {
        var (subject, text) = await mail.RenderTextAsync(Template, Model(ledger));
        return Pdf(text, subject);
    }

    public static string PdfFileName(int year) => $"giving-statement-{year}.pdf";

    private byte[] Pdf(string text, string title) => TextPdf.Render(text, title, author: organization.Value.LegalName);

    public StatementModel Model(StatementLedger ledger)
    {
        var org = organization.Value;
        var zone = org.GetTimeZone();
        var gifts = ledger.Lines.Select(l => new StatementGiftModel
        {
            Date = Dates.Iso(l.ReceivedAt, zone),
            Amount = Money.Format(l.Net, l.Currency),
            Paid = Money.Format(l.Paid, l.Currency),
            Refunded = Money.Format(l.Refunded, l.Currency),
            IsPartiallyRefunded = l.IsPartiallyRefunded,
            Currency = l.Currency.ToUpperInvariant(),
            Frequency = Staff.CsvValues.Frequency(l.Frequency),
            ReceiptNumber = l.ReceiptNumber ?? "",
            HasBenefits = l.BenefitsValue > 0,
            BenefitsDescription = l.BenefitsDescription,
            BenefitsValue = Money.Format(l.BenefitsValue, l.Currency),
            Deductible = Money.Format(l.Deductible, l.Currency),
            BenefitsDisregarded = l.BenefitsDisregardedReason,
            InOpenDispute = l.InOpenDispute,
        }).ToList();
        var totals = ledger.Totals.Select(t => new StatementTotalModel
        {
            Currency = t.Currency.ToUpperInvariant(),
            Gifts = t.Gifts,
            Total = Money.Format(t.Net, t.Currency),
            Paid = Money.Format(t.Paid, t.Currency),
            Refunded = Money.Format(t.Refunded, t.Currency),
            HasRefunds = t.Refunded > 0,
            BenefitsValue = Money.Format(t.BenefitsValue, t.Currency),
            HasBenefits = t.BenefitsValue > 0,
            Deductible = Money.Format(t.Deductible, t.Currency),
        }).ToList();

        return new StatementModel
        {
            Organization = OrganizationModel.From(org),
            Year = ledger.Year,
            DonorName = string.IsNullOrWhiteSpace(ledger.DonorName) ? ledger.DonorEmail : ledger.DonorName,
            DonorEmail = ledger.DonorEmail,
            IssuedDate = Dates.Long(clock.GetUtcNow(), zone),
            Gifts = gifts,
            Totals = totals,
            HasPartialRefunds = gifts.Any(g => g.IsPartiallyRefunded),
            RefundedInFull = ledger.RefundedInFull,
            HasBenefits = gifts.Any(g => g.HasBenefits),
            HasOpenDisputes = gifts.Any(g => g.InOpenDispute),
            HasDisregardedBenefits = gifts.Any(g => g.BenefitsDisregarded is not null),
            HasGiftsWithoutBenefits = gifts.Any(g => !g.HasBenefits && g.BenefitsDisregarded is null),
            Benefits = ledger.Lines.Where(l => l.BenefitsValue > 0 && !string.IsNullOrWhiteSpace(l.BenefitsDescription))
                .Select(l => l.BenefitsDescription!).Distinct().ToList(),
        };
    }
}
