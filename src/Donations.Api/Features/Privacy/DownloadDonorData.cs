using System.IO.Compression;
using System.Text.Json;
using Donations.Api.Features.DonorPortal;
using Donations.Api.Features.Receipts;
using Donations.Api.Features.Statements;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// <c>GET /manage/account/data.zip</c>: everything held about the signed-in donor, as one file:
/// <c>donor.json</c> (their details and address, gifts with where they came from, receipts, monthly
/// gifts with every change and cancellation reason they gave, statements and the emails sent to
/// them) with the PDF of every receipt and statement. Only the session's donor, never an id
/// from the request.
/// </summary>
public static class DownloadDonorData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<IResult> Handle(HttpContext http, DonationsDbContext db, ReceiptMessages receipts, StatementPdf statements, TimeProvider clock)
    {
        var donorId = DonorAuthentication.DonorId(http.User);
        var ct = http.RequestAborted;
        var donor = await db.Donors.AsNoTracking().Where(d => d.Id == donorId && d.ErasedAt == null)
            .Select(d => new { d.Email, d.Name, d.Address, d.Country, d.StripeCustomerId, d.CreatedAt }).SingleOrDefaultAsync(ct);
        if (donor is null) return Results.NotFound();

        var gifts = await db.Donations.AsNoTracking().Where(d => d.DonorId == donorId).OrderBy(d => d.ReceivedAt)
            .Select(d => new
            {
                d.Id, d.ReceivedAt, d.Amount, d.Currency, Frequency = d.Frequency.ToString(), Status = d.Status.ToString(), d.RefundedAmount,
                d.FeeCovered, d.FeeAmount, d.BenefitsValue, d.BenefitsDescription, d.Campaign, d.Source, d.UtmMedium, d.UtmContent, d.UtmTerm,
                d.StripePaymentIntentId, d.StripeChargeId, d.StripeInvoiceId, d.StripeSubscriptionId,
            }).ToListAsync(ct);
        var receiptRows = await db.Receipts.AsNoTracking().Where(r => r.Donation!.DonorId == donorId).OrderBy(r => r.IssuedAt)
            .Select(r => new { r.Id, r.Number, r.DonationId, Kind = r.Kind.ToString(), Status = r.Status.ToString(), r.Amount, r.Currency,
                r.DeductibleAmount, r.IssuedAt, r.SentAt, r.VoidedAt })
            .ToListAsync(ct);
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.DonorId == donorId).OrderBy(m => m.StartedAt)
            .Select(m => new
            {
                m.StripeSubscriptionId, m.Status, m.MonthlyAmount, m.Interval, m.FeeAmount, m.Currency, m.Tier, m.BenefitsDeclined,
                m.StartedAt, m.CurrentPeriodEnd, m.Paused, m.PausedUntil, m.CancelAtPeriodEnd, m.CanceledAt, m.CancellationReason, m.LapsedAt,
                Changes = db.GiftChanges.Where(c => c.MembershipId == m.Id).OrderBy(c => c.RequestedAt)
                    .Select(c => new { c.Kind, c.Summary, c.Reason, c.RequestedAt, c.EmailSentAt }).ToList(),
                AmountHistory = db.MembershipAmountChanges.Where(c => c.MembershipId == m.Id).OrderBy(c => c.ChangedAt)
                    .Select(c => new { c.ChangedAt, c.FromAmount, c.ToAmount, c.Interval }).ToList(),
            })
            .ToListAsync(ct);
        var statementRows = await db.Statements.AsNoTracking().Where(s => s.DonorId == donorId).OrderBy(s => s.Year)
            .Select(s => new { s.Year, Status = s.Status.ToString(), s.SentAt }).ToListAsync(ct);
        var emails = await db.Notifications.AsNoTracking().Where(n => n.DonorId == donorId && n.SentAt != null).OrderBy(n => n.SentAt)
            .Select(n => new { n.Kind, n.SentAt }).ToListAsync(ct);

        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using (var entry = archive.CreateEntry("donor.json").Open())
                await JsonSerializer.SerializeAsync(entry, new
                {
                    ExportedAt = clock.GetUtcNow().UtcDateTime,
                    Donor = donor,
                    Gifts = gifts,
                    Receipts = receiptRows.Select(r => new { r.Number, r.DonationId, r.Kind, r.Status, r.Amount, r.Currency, r.DeductibleAmount, r.IssuedAt, r.SentAt, r.VoidedAt }),
                    MonthlyGifts = memberships,
                    Statements = statementRows,
                    EmailsSent = emails,
                }, Json, ct);
            foreach (var r in receiptRows)
                if (await receipts.PdfAsync(r.Id, ct) is { } pdf) await AddAsync(archive, $"receipts/receipt-{r.Number}.pdf", pdf, ct);
            foreach (var s in statementRows.Where(s => s.Status == nameof(StatementStatus.Sent)))
                if (await statements.RenderAsync(donorId, s.Year, ct) is { } pdf) await AddAsync(archive, $"statements/{StatementPdf.FileName(s.Year)}", pdf, ct);
        }
        zip.Position = 0;
        http.Response.Headers.CacheControl = "no-store";
        return Results.File(zip, "application/zip", "my-donation-data.zip");
    }

    private static async Task AddAsync(ZipArchive archive, string name, byte[] bytes, CancellationToken ct)
    {
        await using var entry = archive.CreateEntry(name).Open();
        await entry.WriteAsync(bytes, ct);
    }
}
