using Donations.Api.Features.Statements;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// A donor's statements for their data download: every version issued (the first and each
/// correction, with its number and whether it reached them), each PDF as stored. The newest one
/// that reached them is <c>statements/giving-statement-{year}.pdf</c>, as the portal serves it;
/// the others are named by their number.
/// </summary>
public static class DonorDataStatements
{
    /// <param name="Described">What <c>donor.json</c> says of the year's statement.</param>
    /// <param name="Files">The stored document ids and the names their PDFs take in the download.</param>
    public sealed record Issued(object Described, List<(long DocumentId, string Name)> Files);

    public static async Task<List<Issued>> LoadAsync(DonationsDbContext db, StatementPdf statements, long donorId, CancellationToken ct)
    {
        var rows = await db.Statements.AsNoTracking().Where(s => s.DonorId == donorId).OrderBy(s => s.Year)
            .Select(s => new { s.Id, s.Year, s.Status, s.SentAt }).ToListAsync(ct);
        // A statement sent before documents were kept is issued now, once, as its portal download does.
        var documented = await db.StatementDocuments.Where(d => d.Statement!.DonorId == donorId && d.Revision == 1).Select(d => d.StatementId).ToListAsync(ct);
        foreach (var s in rows.Where(s => s.Status == StatementStatus.Sent && !documented.Contains(s.Id)))
            await statements.RenderAsync(donorId, s.Year, ct);
        var documents = (await db.StatementDocuments.AsNoTracking().Where(d => d.Statement!.DonorId == donorId).OrderBy(d => d.Revision)
            .Select(d => new { d.Id, d.StatementId, d.Revision, d.Number, d.IssuedAt, d.Status, d.SentAt }).ToListAsync(ct))
            .ToLookup(d => d.StatementId);

        return [.. rows.Select(s =>
        {
            // The first version is sent with its statement row; corrections carry their own send state.
            var versions = documents[s.Id].Select(d => (d.Id, d.Number, d.Revision, d.IssuedAt,
                Status: d.Revision == 1 ? s.Status.ToString() : d.Status.ToString(),
                SentAt: d.Revision == 1 ? s.SentAt : d.SentAt)).ToList();
            var current = versions.Where(v => v.Status == nameof(StatementStatus.Sent)).Select(v => (long?)v.Id).LastOrDefault();
            var named = versions.Select(v => (v, Name: v.Id == current ? $"statements/{StatementPdf.FileName(s.Year)}" : $"statements/statement-{v.Number}.pdf")).ToList();
            return new Issued(new
            {
                s.Year, Status = s.Status.ToString(), s.SentAt,
                Documents = named.Select(x => new { x.v.Number, x.v.Revision, x.v.IssuedAt, x.v.Status, x.v.SentAt, File = x.Name }),
            }, [.. named.Select(x => (x.v.Id, x.Name))]);
        })];
    }

    public static Task<byte[]> PdfAsync(DonationsDbContext db, long documentId, CancellationToken ct) =>
        db.StatementDocuments.AsNoTracking().Where(d => d.Id == documentId).Select(d => d.Pdf).SingleAsync(ct);
}
