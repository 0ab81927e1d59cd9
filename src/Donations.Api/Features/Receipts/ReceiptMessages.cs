using Donations.Api.Features.Donations;
using System.Globalization;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Documents;
using Donations.Api.Infrastructure.Email;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Turns a stored receipt into the email the donor gets: subject, HTML and text bodies from the
/// editable templates, and the PDF made from the text body when the receipt or void notice was
/// issued (<see cref="ReceiptDocument"/>). What the receipt states is fixed when its PDF is
/// rendered and stored beside it (<see cref="ReceiptDocument.Facts"/>): the first send and every
/// copy print those facts, never the gift, donor or settings as they stand later (a benefits
/// judgement made again, a name corrected, a settlement learnt afterwards).
/// </summary>
public sealed class ReceiptMessages(
    DonationsDbContext db,
    OutboundMail mail,
    IOptions<OrganizationOptions> organization,
    TimeProvider clock)
{
    /// <param name="SettledUsd">What the whole payment settled for in USD cents (other currencies only), when Stripe's settlement is known.</param>
    /// <param name="Facts">What the receipt stated when its PDF was stored; null until then, and for receipts stored before facts were kept.</param>
    /// <param name="ReplacesFacts">The stored facts of the receipt this one replaces, for the date it stated.</param>
    public sealed record Source(Receipt Receipt, Donation Donation, Donor Donor, Receipt? Replaces, byte[]? Pdf, long? SettledUsd = null,
        string? Facts = null, string? ReplacesFacts = null);

    public async Task<List<Source>> LoadAsync(IReadOnlyCollection<long> receiptIds, CancellationToken ct)
    {
        var rows = await db.Receipts.AsNoTracking()
            .Where(r => receiptIds.Contains(r.Id))
            .Select(r => new
            {
                Receipt = r,
                r.Donation,
                r.Donation!.Donor,
                Pdf = db.ReceiptDocuments.Where(d => d.ReceiptId == r.Id).Select(d => d.Pdf).FirstOrDefault(),
                Facts = db.ReceiptDocuments.Where(d => d.ReceiptId == r.Id).Select(d => d.Facts).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var replacedIds = rows.Where(r => r.Receipt.ReplacesReceiptId is not null).Select(r => r.Receipt.ReplacesReceiptId!.Value).ToList();
        var replaced = replacedIds.Count == 0
            ? []
            : await db.Receipts.AsNoTracking().Where(r => replacedIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);
        var replacedFacts = replacedIds.Count == 0
            ? []
            : await db.ReceiptDocuments.AsNoTracking().Where(d => replacedIds.Contains(d.ReceiptId))
                .ToDictionaryAsync(d => d.ReceiptId, d => d.Facts, ct);
        var foreign = rows.Where(r => r.Donation!.Currency != "usd").Select(r => r.Donation!.Id).Distinct().ToList();
        var usd = await UsdEquivalents.SettledAsync(db, foreign, ct);
        return rows
            .Select(r => new Source(r.Receipt, r.Donation!, r.Donor!,
                r.Receipt.ReplacesReceiptId is { } id ? replaced.GetValueOrDefault(id) : null, r.Pdf,
                usd.TryGetValue(r.Donation!.Id, out var settled) ? settled : null, r.Facts,
                r.Receipt.ReplacesReceiptId is { } was ? replacedFacts.GetValueOrDefault(was) : null))
            .OrderBy(s => s.Receipt.Id)
            .ToList();
    }

    /// <summary>
    /// Renders and stores the PDFs of newly issued receipts and void notices, so sending them is only a matter of
    /// attaching the stored bytes. A receipt left without one (a crash right after issuing) gets
    /// it from its first send instead.
    /// </summary>
    public async Task IssueDocumentsAsync(IReadOnlyCollection<long> receiptIds, CancellationToken ct)
    {
        var rendered = new List<ReceiptDocument>();
        foreach (var source in await LoadAsync(receiptIds, ct))
        {
            if (source.Pdf is not null) continue;
            var model = Model(source, isCopy: false);
            var (subject, text) = await mail.RenderTextAsync(Template(source), model);
            rendered.Add(Document(source, RenderPdf(text, subject), model));
        }
        // All in one insert; should one of them have been stored meanwhile (a send or a download
        // whose wait ran out), each is stored on its own, keeping whichever came first.
        if (rendered.Count == 0 || await RowClaims.TryInsertAsync(db, d => d.ReceiptDocuments.AddRange(rendered), ct)) return;
        foreach (var document in rendered) await StoreAsync(document, ct);
    }

    /// <summary>The message as first sent, or — with <paramref name="copyMessageId"/> — a copy marked as such.</summary>
    public async Task<MimeMessage> BuildAsync(Source source, string? copyMessageId, CancellationToken ct)
    {
        var isCopy = copyMessageId is not null;
        var model = Model(source, isCopy);
        var content = await mail.RenderAsync(Template(source), model);
        var envelope = new MailEnvelope(source.Donor.Email, source.Donor.Name, copyMessageId ?? source.Receipt.MessageId)
        {
            // A copy answers the original; a correction or void notice answers the receipt it replaces.
            Thread = isCopy ? source.Receipt.MessageId : source.Replaces?.MessageId,
            Headers = [new("X-Receipt-Number", source.Receipt.Number)],
        };
        // The first send attaches the receipt or void notice as issued; a copy's PDF says COPY like its text.
        var pdf = isCopy
            ? RenderPdf(content.Text, content.Subject)
            : source.Pdf ?? await StoreAsync(Document(source, RenderPdf(content.Text, content.Subject), model), ct);
        return mail.Compose(envelope, content, MailAttachment.Pdf(FileName(source.Receipt), pdf));
    }

    /// <summary>The receipt's PDF as attached to its email, e.g. for the donor portal's download; null if unknown.</summary>
    public async Task<byte[]?> PdfAsync(long receiptId, CancellationToken ct)
    {
        if ((await LoadAsync([receiptId], ct)).SingleOrDefault() is not { } source) return null;
        if (source.Pdf is not null) return source.Pdf;
        var model = Model(source, isCopy: false);
        var (subject, text) = await mail.RenderTextAsync(Template(source), model);
        return await StoreAsync(Document(source, RenderPdf(text, subject), model), ct);
    }

    public static string FileName(Receipt receipt) =>
        receipt.Kind == ReceiptKind.VoidNotice ? $"void-notice-{receipt.Number}.pdf" : $"receipt-{receipt.Number}.pdf";

    /// <summary>
    /// Keeps the first PDF stored for a receipt and returns the bytes kept: a receipt issued without
    /// one gets it from whichever of its first send or download renders it first.
    /// </summary>
    private async Task<byte[]> StoreAsync(ReceiptDocument document, CancellationToken ct)
    {
        if (await RowClaims.TryInsertAsync(db, d => d.ReceiptDocuments.Add(document), ct)) return document.Pdf;
        return await db.ReceiptDocuments.Where(d => d.ReceiptId == document.ReceiptId).Select(d => d.Pdf).SingleAsync(ct);
    }

    private ReceiptDocument Document(Source source, byte[] pdf, ReceiptModel model) => new()
    {
        ReceiptId = source.Receipt.Id, Pdf = pdf, RenderedAt = clock.GetUtcNow().UtcDateTime, Facts = model.ToFacts(),
    };

    private byte[] RenderPdf(string text, string subject) => TextPdf.Render(text, title: subject, author: organization.Value.LegalName);

    private static string Template(Source source) => source.Receipt.Kind == ReceiptKind.VoidNotice ? "void-notice" : "receipt";

    /// <summary>
    /// The facts stored with the receipt's PDF, or — before they are stored — the receipt as the gift
    /// stands now. A receipt stored before facts were kept has only its PDF: its email and copies
    /// are still rendered from the gift as it stands, as they always were; so is a member that facts
    /// stored before it existed lack.
    /// </summary>
    public ReceiptModel Model(Source source, bool isCopy)
    {
        return ReceiptModel.FromFacts(source.Facts, () => Current(source, isCopy)) is { } issued
            ? issued with { IsCopy = isCopy }
            : Current(source, isCopy);
    }

    private ReceiptModel Current(Source source, bool isCopy)
    {
        var (receipt, donation, donor) = (source.Receipt, source.Donation, source.Donor);
        var org = organization.Value;
        var currency = receipt.Currency;
        var isVoid = receipt.Kind == ReceiptKind.VoidNotice;
        var benefits = isVoid ? 0 : GiftAmounts.DeductedBenefits(donation);
        var donationDate = Dates.Long(donation.ReceivedAt, org.GetTimeZone());
        return new ReceiptModel
        {
            Organization = OrganizationModel.From(org),
            Number = receipt.Number,
            Kind = receipt.Kind switch
            {
                ReceiptKind.Correction => "correction",
                ReceiptKind.VoidNotice => "void",
                ReceiptKind.Reinstatement => "reinstated",
                _ => "original",
            },
            IsCopy = isCopy,
            ReplacesNumber = source.Replaces?.Number,
            IsDeductibleCorrection = receipt.Kind == ReceiptKind.Correction && source.Replaces is { } replaced && replaced.Amount == receipt.Amount,
            DonorName = string.IsNullOrWhiteSpace(donor.Name) ? donor.Email : donor.Name,
            DonorEmail = donor.Email,
            DonorAddress = string.IsNullOrWhiteSpace(donor.Address) ? null : donor.Address,
            DeductibilityNotice = org.DeductibilityNoticeFor(donor.Country, donor.Address),
            DonationDate = donationDate,
            DonationLocalDate = Dates.Iso(donation.ReceivedAt, org.GetTimeZone()),
            DonationTimeZone = org.GetTimeZone().Id,
            ReplacedDonationDate = receipt.Kind == ReceiptKind.Correction ? ReplacedDate(source, org.GetTimeZone()) : null,
            IssuedDate = Dates.Long(receipt.IssuedAt, org.GetTimeZone()),
            Amount = Money.Format(receipt.Amount, currency),
            Currency = currency.ToUpperInvariant(),
            Frequency = Staff.CsvValues.Frequency(donation.Frequency),
            HasBenefits = benefits > 0,
            BenefitsReason = isVoid ? null : ReceiptRules.DisregardedBenefitsReason(donation),
            BenefitsDescription = donation.BenefitsDescription,
            BenefitsValue = Money.Format(benefits, currency),
            DeductibleAmount = Money.Format(receipt.DeductibleAmount, currency),
            FeeCovered = donation.FeeCovered && donation.FeeAmount > 0,
            FeeAmount = Money.Format(donation.FeeAmount, currency),
            PaidAmount = Money.Format(donation.Amount, currency),
            RefundedAmount = Money.Format(isVoid ? donation.Amount : Math.Max(0, donation.Amount - receipt.Amount), currency),
            IsDisputeLoss = GiftAmounts.IsLostDispute(donation),
            // For information only: the deduction is the donor's to convert, at the rate of the day.
            UsdAmount = source.SettledUsd is { } usd && !isVoid ? Money.Format(UsdEquivalents.Share(usd, donation.Amount, receipt.Amount), "usd") : null,
            UsdDeductible = source.SettledUsd is { } u && !isVoid ? Money.Format(UsdEquivalents.Share(u, donation.Amount, receipt.DeductibleAmount), "usd") : null,
        };
    }

    /// <summary>
    /// The date the replaced receipt stated, when the gift's date has moved from it. A receipt stored
    /// before its facts were kept says nothing of its date; it is corrected for a date only when the
    /// gift moved into another year, which its number still tells.
    /// </summary>
    private static string? ReplacedDate(Source source, TimeZoneInfo zone)
    {
        if (source.ReplacesFacts is not null) return ReconcileReceipts.StatedDateIfMoved(source.ReplacesFacts, source.Donation.ReceivedAt, zone);
        return source.Replaces is { } replaced && replaced.Year != source.Receipt.Year ? $"a date in {replaced.Year}" : null;
    }
}
