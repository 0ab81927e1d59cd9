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
/// <c>donor.json</c> (their details and address; gifts with where they came from, how each counts
/// for tax, its refunds, dispute and receipts; monthly gifts with every change and cancellation
/// reason they gave; statements with every version issued; the emails sent to them; the Stripe
/// events stored about them as stored) with the PDF of every receipt, void notice and statement as
/// issued. Only the session's donor, never an id from the request.
/// </summary>
public static class DownloadDonorData
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<IResult> Handle(HttpContext http, DonationsDbContext db, ReceiptMessages receipts, StatementPdf statements,
        DonorDataEvents events, DataDownloadLimits limits, TimeProvider clock)
    {
        var donorId = DonorAuthentication.DonorId(http.User);
        var ct = http.RequestAborted;
        if (limits.TryStart(donorId) is not { } lease)
        {
            http.Response.Headers.RetryAfter = ((int)DataDownloadLimits.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem("Your data download was asked for too often; please try again later.", statusCode: StatusCodes.Status429TooManyRequests);
        }
        // Held until the file has been sent.
        http.Response.RegisterForDispose(lease);
        var donor = await db.Donors.AsNoTracking().Where(d => d.Id == donorId && d.ErasedAt == null)
            .Select(d => new { d.Email, d.Name, d.Address, d.Country, d.StripeCustomerId, d.CreatedAt }).SingleOrDefaultAsync(ct);
        if (donor is null) return Results.NotFound();

        var gifts = await DonorDataGifts.LoadAsync(db, donorId, ct);
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.DonorId == donorId).OrderBy(m => m.StartedAt)
            .Select(m => new
            {
                m.StripeSubscriptionId, m.Status, m.MonthlyAmount, m.Interval, m.FeeAmount, m.Currency, m.Tier, m.BenefitsDeclined,
                m.StartedAt, m.CurrentPeriodEnd, m.Paused, m.PausedUntil, m.CancelAtPeriodEnd, m.CanceledAt, m.CancellationReason, m.LapsedAt,
                Changes = db.GiftChanges.Where(c => c.MembershipId == m.Id).OrderBy(c => c.RequestedAt)
                    .Select(c => new { c.Kind, c.Summary, c.Reason, c.RequestedAt, c.EmailSentAt }).ToList(),
                AmountHistory = db.MembershipAmountChanges.Where(c => c.MembershipId == m.Id).OrderBy(c => c.ChangedAt)
                    .Select(c => new { c.ChangedAt, c.FromAmount, c.ToAmount, c.Interval }).ToList(),
                StatusHistory = db.MembershipStatusChanges.Where(c => c.MembershipId == m.Id).OrderBy(c => c.ChangedAt)
                    .Select(c => new { c.ChangedAt, c.Status, c.Paused }).ToList(),
                FailedPayments = db.MembershipPaymentFailures.Where(f => f.MembershipId == m.Id).OrderBy(f => f.FailedAt)
                    .Select(f => new { f.StripeInvoiceId, f.FailedAt }).ToList(),
            })
            .ToListAsync(ct);
        var issued = await DonorDataStatements.LoadAsync(db, statements, donorId, ct);
        var emails = await db.Notifications.AsNoTracking().Where(n => n.DonorId == donorId && n.SentAt != null).OrderBy(n => n.SentAt)
            .Select(n => new { n.Kind, n.SentAt }).ToListAsync(ct);

        // Built in a file that is deleted once sent, not in memory: with every PDF and the donor's
        // Stripe events a long-standing donor's download runs to megabytes. A failure before the
        // answer starts is a plain error, never a truncated download.
        var file = new FileStream(Path.Combine(Path.GetTempPath(), $"donor-data-{Guid.NewGuid():N}.zip"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using (var archive = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
            {
                await using (var entry = archive.CreateEntry("donor.json").Open())
                await using (var json = new Utf8JsonWriter(entry, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartObject();
                    Write(json, "exported_at", clock.GetUtcNow().UtcDateTime);
                    Write(json, "donor", donor);
                    Write(json, "gifts", gifts.Gifts);
                    Write(json, "receipts", gifts.Receipts.Select(r => new
                    {
                        r.Number, r.DonationId, Kind = r.Kind.ToString(), Status = r.Status.ToString(), r.Amount, r.Currency, r.DeductibleAmount,
                        r.IssuedAt, r.SentAt, r.VoidedAt, File = $"receipts/{ReceiptMessages.FileName(r)}",
                    }));
                    Write(json, "monthly_gifts", memberships);
                    Write(json, "statements", issued.Select(s => s.Described));
                    Write(json, "emails_sent", emails);
                    json.WritePropertyName("stripe_events");
                    await events.WriteAsync(donorId, json, ct);
                    json.WriteEndObject();
                }
                foreach (var r in gifts.Receipts)
                    if (await receipts.PdfAsync(r.Id, ct) is { } pdf) await AddAsync(archive, $"receipts/{ReceiptMessages.FileName(r)}", pdf, ct);
                foreach (var (id, name) in issued.SelectMany(s => s.Files))
                    await AddAsync(archive, name, await DonorDataStatements.PdfAsync(db, id, ct), ct);
            }
            file.Position = 0;
            http.Response.Headers.CacheControl = "no-store";
            return Results.File(file, "application/zip", "my-donation-data.zip");
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    private static void Write<T>(Utf8JsonWriter json, string name, T value)
    {
        json.WritePropertyName(name);
        JsonSerializer.Serialize(json, value, Json);
    }

    private static async Task AddAsync(ZipArchive archive, string name, byte[] bytes, CancellationToken ct)
    {
        await using var entry = archive.CreateEntry(name).Open();
        await entry.WriteAsync(bytes, ct);
    }
}
