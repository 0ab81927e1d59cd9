using Donations.Api.Features.Receipts;
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
/// from the editable <c>statement.*.liquid</c> templates, and a PDF laid out from the text. What is
/// issued is kept (<see cref="StatementIssues"/>); this only renders.
/// </summary>
public sealed class StatementDocuments(
    DonationsDbContext db,
    OutboundMail mail,
    IOptions<OrganizationOptions> organization)
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
        var usd = await UsdEquivalents.SettledAsync(db, gifts.Where(g => g.Currency != "usd").Select(g => g.Id).ToList(), ct);
        return donors.ToDictionary(d => d.Id, d => StatementLedger.Build(d, year, byDonor[d.Id], usd));
    }

    /// <summary>The statement's subject, text and HTML as issued under <paramref name="issue"/>.</summary>
    public Task<MailContent> RenderAsync(StatementLedger ledger, StatementIssue issue) => mail.RenderAsync(Template, Model(ledger, issue));

    /// <summary>The PDF is laid out from the text body, as receipts' are.</summary>
    public byte[] Pdf(MailContent content) => TextPdf.Render(content.Text, content.Subject, author: organization.Value.LegalName);

    /// <summary>
    /// The email carrying a statement: the stored PDF is attached as it was issued. A corrected
    /// statement answers the message that carried the statement it corrects.
    /// </summary>
    public MimeMessage Compose(StatementLedger ledger, MailContent content, byte[] pdf, string messageId, string? thread = null)
    {
        var envelope = new MailEnvelope(ledger.DonorEmail, ledger.DonorName, messageId)
        {
            Thread = thread,
            Headers = [new(YearHeader, ledger.Year.ToString(CultureInfo.InvariantCulture))],
        };
        return mail.Compose(envelope, content, MailAttachment.Pdf(PdfFileName(ledger.Year), pdf));
    }

    public static string PdfFileName(int year) => $"giving-statement-{year}.pdf";

    public StatementModel Model(StatementLedger ledger, StatementIssue issue)
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
            UsdAmount = l.Currency != "usd" && l.UsdNet is { } usd ? Money.Format(usd, "usd") : null,
            UsdDeductible = l.Currency != "usd" && l.UsdDeductible is { } usdDeductible ? Money.Format(usdDeductible, "usd") : null,
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
            DonorAddress = ledger.DonorAddress,
            DeductibilityNotice = org.DeductibilityNoticeFor(ledger.DonorCountry, ledger.DonorAddress),
            IssuedDate = Dates.Long(issue.IssuedAt, zone),
            Number = issue.Number,
            ReplacesNumber = issue.Replaces?.Number,
            ReplacesIssuedDate = issue.Replaces is { } first ? Dates.Long(first.IssuedAt, zone) : null,
            Gifts = gifts,
            Totals = totals,
            HasPartialRefunds = gifts.Any(g => g.IsPartiallyRefunded),
            RefundedInFull = ledger.RefundedInFull,
            HasBenefits = gifts.Any(g => g.HasBenefits),
            HasOpenDisputes = gifts.Any(g => g.InOpenDispute),
            HasOtherCurrencies = ledger.HasOtherCurrencies,
            UsdTotal = Money.Format(ledger.UsdNet, "usd"),
            UsdDeductibleTotal = Money.Format(ledger.UsdDeductible, "usd"),
            UsdUnknown = ledger.UsdUnknown,
            HasDisregardedBenefits = gifts.Any(g => g.BenefitsDisregarded is not null),
            HasGiftsWithoutBenefits = gifts.Any(g => !g.HasBenefits && g.BenefitsDisregarded is null),
            Benefits = ledger.Lines.Where(l => l.BenefitsValue > 0 && !string.IsNullOrWhiteSpace(l.BenefitsDescription))
                .Select(l => l.BenefitsDescription!).Distinct().ToList(),
        };
    }
}
