using Donations.Api.Features.DonorPortal;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Statements;

/// <summary>
/// <c>GET /manage/statements/{year}.pdf</c>: the signed-in donor's statement for a year they were
/// sent one, rendered afresh from the ledger. Any other year answers 404.
/// </summary>
public static class DownloadStatement
{
    public static async Task<IResult> Handle(int year, HttpContext http, DonationsDbContext db, StatementPdf statements)
    {
        var donorId = DonorAuthentication.DonorId(http.User);
        var sent = await db.Statements.AsNoTracking()
            .AnyAsync(s => s.DonorId == donorId && s.Year == year && s.Status == StatementStatus.Sent, http.RequestAborted);
        var pdf = sent ? await statements.RenderAsync(donorId, year, http.RequestAborted) : null;
        if (pdf is null) return Results.NotFound();
        http.Response.Headers.CacheControl = "no-store";
        return Results.File(pdf, "application/pdf", StatementPdf.FileName(year));
    }
}
