namespace Donations.Api.Features.Statements;

/// <summary>
/// A donor's statement for a year as a PDF, rendered afresh from the ledger (so a refund since
/// the mailing shows), for the donor portal's download link. Null when nothing counts as given.
/// </summary>
public sealed class StatementPdf(StatementDocuments documents)
{
    public async Task<byte[]?> RenderAsync(long donorId, int year, CancellationToken ct)
    {
        var ledgers = await documents.LoadAsync([donorId], year, ct);
        return ledgers.TryGetValue(donorId, out var ledger) && !ledger.IsEmpty
            ? await documents.RenderPdfAsync(ledger)
            : null;
    }

    public static string FileName(int year) => StatementDocuments.PdfFileName(year);
}
