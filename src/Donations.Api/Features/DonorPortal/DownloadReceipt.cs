using Donations.Api.Features.Receipts;
using Donations.Data;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>GET /manage/receipts/{number}.pdf</c>: the signed-in donor's receipt as the same PDF its
/// email carried. Someone else's receipt number answers 404, exactly like one that does not exist.
/// </summary>
public static class DownloadReceipt
{
    public static async Task<IResult> Handle(string number, HttpContext http, DonationsDbContext db, ReceiptMessages receipts)
    {
        var donorId = DonorAuthentication.DonorId(http.User);
        var receiptId = await db.Receipts.AsNoTracking()
            .Where(r => r.Number == number && r.Donation!.DonorId == donorId)
            .Select(r => (long?)r.Id)
            .SingleOrDefaultAsync(http.RequestAborted);
        var pdf = receiptId is { } id ? await receipts.PdfAsync(id, http.RequestAborted) : null;
        if (pdf is null) return Results.NotFound();
        http.Response.Headers.CacheControl = "no-store";
        return Results.File(pdf, "application/pdf", $"receipt-{number}.pdf");
    }
}
