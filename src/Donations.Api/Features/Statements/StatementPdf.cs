namespace Donations.Api.Features.Statements;

/// <summary>
/// A donor's statement for a year as the PDF they were sent (the corrected one once it went out),
/// for the donor's data export; null when none was sent. See <see cref="StatementIssues"/>.
/// </summary>
public sealed class StatementPdf(StatementIssues issues)
{
    public Task<byte[]?> RenderAsync(long donorId, int year, CancellationToken ct) => issues.DownloadAsync(donorId, year, ct);

    public static string FileName(int year) => StatementDocuments.PdfFileName(year);
}
