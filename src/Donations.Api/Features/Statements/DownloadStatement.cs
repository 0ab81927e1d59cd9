using Donations.Api.Features.DonorPortal;

namespace Donations.Api.Features.Statements;

/// <summary>
/// <c>GET /manage/statements/{year}.pdf</c>: the signed-in donor's statement for a year they were
/// sent one, as it was issued (the corrected statement once one was sent), byte for byte what the
/// email carried. Any other year answers 404.
/// </summary>
public static class DownloadStatement
{
    public static async Task<IResult> Handle(int year, HttpContext http, StatementIssues statements)
    {
        var donorId = DonorAuthentication.DonorId(http.User);
        var pdf = await statements.DownloadAsync(donorId, year, http.RequestAborted);
        if (pdf is null) return Results.NotFound();
        http.Response.Headers.CacheControl = "no-store";
        return Results.File(pdf, "application/pdf", StatementDocuments.PdfFileName(year));
    }
}
