using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Email;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Statements;

/// <summary>What a statement document is printed under: its number and issue date, and for a correction the first statement's.</summary>
public sealed record StatementIssue(int Revision, string Number, DateTime IssuedAt, StatementIssue? Replaces = null);

/// <summary>
/// The statements as issued (<see cref="StatementDocument"/>): numbered, stored once, never
/// rendered again. Inserts are keyed by (statement, revision), so of two writers issuing the same
/// revision one stores it and both go on with the stored copy.
/// </summary>
public sealed class StatementIssues(DonationsDbContext db, StatementDocuments documents, TimeProvider clock)
{
    /// <summary>One stored document, without its send state.</summary>
    public sealed record Stored(long Id, StatementIssue Issue, byte[] Pdf, string Fingerprint, StatementDocumentStatus Status, string? MessageId, int Attempts);

    public static string Number(int year, long statementId, int revision) =>
        revision == 1 ? $"{year}-S{statementId:D6}" : $"{year}-S{statementId:D6}-{revision}";

    /// <summary>The newest document of the statement, corrections not yet sent included; null if none was issued.</summary>
    public async Task<Stored?> LatestAsync(long statementId, CancellationToken ct)
    {
        var row = await db.StatementDocuments.AsNoTracking()
            .Where(d => d.StatementId == statementId)
            .OrderByDescending(d => d.Revision)
            .FirstOrDefaultAsync(ct);
        if (row is null) return null;
        var first = row.Revision == 1
            ? null
            : await db.StatementDocuments.AsNoTracking()
                .Where(d => d.StatementId == statementId && d.Revision == 1)
                .Select(d => new StatementIssue(d.Revision, d.Number, d.IssuedAt, null))
                .SingleAsync(ct);
        return new Stored(row.Id, new StatementIssue(row.Revision, row.Number, row.IssuedAt, first), row.Pdf, row.Fingerprint,
            row.Status, row.MessageId, row.Attempts);
    }

    /// <summary>
    /// The document a run sends for this statement. The first time, it is issued from the ledger
    /// now and stored; afterwards (a retry after a crash, a resend run) the stored one goes out
    /// again. A statement that never reached the donor (refused, or not yet sent) is issued afresh
    /// when its gifts changed meanwhile: nobody holds the old one.
    /// </summary>
    /// <remarks>A statement nobody has tried to send yet has nothing issued: a run renders and stores those a chunk at a time (<see cref="StoreFirstAsync"/>).</remarks>
    public async Task<(Stored Document, MailContent Content)> ForRunAsync(long statementId, bool everSent, StatementLedger ledger, CancellationToken ct)
    {
        var fingerprint = ledger.Fingerprint();
        var latest = await LatestAsync(statementId, ct);
        if (latest is not null && (everSent || latest.Issue.Revision > 1 || latest.Fingerprint == fingerprint))
            return (latest, await documents.RenderAsync(ledger, latest.Issue));

        var fresh = await RenderFirstAsync(statementId, ledger);
        if (latest is not null)
        {
            await db.StatementDocuments.Where(d => d.Id == latest.Id && d.Fingerprint == latest.Fingerprint)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Pdf, fresh.Pdf)
                    .SetProperty(d => d.Fingerprint, fresh.Fingerprint)
                    .SetProperty(d => d.IssuedAt, fresh.Issue.IssuedAt), ct);
            return (latest with { Issue = fresh.Issue, Pdf = fresh.Pdf, Fingerprint = fresh.Fingerprint }, fresh.Content);
        }
        return (await StoreFirstAsync([fresh], ct))[0];
    }

    /// <summary>A statement's first document, rendered from the ledger and not stored yet.</summary>
    public sealed record Fresh(long StatementId, StatementLedger Ledger, StatementIssue Issue, MailContent Content, byte[] Pdf, string Fingerprint);

    /// <summary>Renders the first document of a statement that has none; nothing is written.</summary>
    public async Task<Fresh> RenderFirstAsync(long statementId, StatementLedger ledger)
    {
        var issue = new StatementIssue(1, Number(ledger.Year, statementId, 1), clock.GetUtcNow().UtcDateTime);
        var content = await documents.RenderAsync(ledger, issue);
        return new Fresh(statementId, ledger, issue, content, documents.Pdf(content), ledger.Fingerprint());
    }

    /// <summary>
    /// Stores first documents, a run's chunk of them in one insert. Where another writer issued
    /// one of them first, each is then settled on its own: the stored copy goes out, or this one
    /// is stored.
    /// </summary>
    public async Task<List<(Stored Document, MailContent Content)>> StoreFirstAsync(IReadOnlyList<Fresh> fresh, CancellationToken ct)
    {
        var rows = fresh.Select(f => new StatementDocument
        {
            StatementId = f.StatementId,
            Revision = 1,
            Number = f.Issue.Number,
            IssuedAt = f.Issue.IssuedAt,
            Pdf = f.Pdf,
            Fingerprint = f.Fingerprint,
            Status = StatementDocumentStatus.Sent, // sent with the statement row
        }).ToList();
        if (await RowClaims.TryInsertAsync(db, d => d.StatementDocuments.AddRange(rows), ct))
            return fresh.Zip(rows, (f, row) => (new Stored(row.Id, f.Issue, f.Pdf, f.Fingerprint, row.Status, null, 0), f.Content)).ToList();
        if (fresh.Count > 1)
        {
            var each = new List<(Stored, MailContent)>(fresh.Count);
            foreach (var f in fresh) each.Add((await StoreFirstAsync([f], ct))[0]);
            return each;
        }
        var one = fresh[0];
        var stored = (await LatestAsync(one.StatementId, ct))!;
        return [(stored, await documents.RenderAsync(one.Ledger, stored.Issue))];
    }

    /// <summary>
    /// Issues a corrected statement from the ledger, numbered after the newest one and replacing
    /// the first; false when another writer issued that revision first. Its send state starts
    /// pending with a Message-Id chosen now, so a resend after a crash keeps it.
    /// </summary>
    public async Task<bool> IssueCorrectionAsync(long statementId, Stored latest, StatementLedger ledger, string messageId, CancellationToken ct)
    {
        var revision = latest.Issue.Revision + 1;
        var first = latest.Issue.Replaces ?? latest.Issue;
        var issue = new StatementIssue(revision, Number(ledger.Year, statementId, revision), clock.GetUtcNow().UtcDateTime, first);
        var pdf = documents.Pdf(await documents.RenderAsync(ledger, issue));
        var row = new StatementDocument
        {
            StatementId = statementId,
            Revision = revision,
            Number = issue.Number,
            IssuedAt = issue.IssuedAt,
            Pdf = pdf,
            Fingerprint = ledger.Fingerprint(),
            Status = StatementDocumentStatus.Pending,
            MessageId = messageId,
        };
        return await RowClaims.TryInsertAsync(db, d => d.StatementDocuments.Add(row), ct);
    }

    /// <summary>
    /// The PDF a donor downloads for a year: the newest document that reached them. A statement
    /// sent before documents were kept is issued once, now, and kept from then on.
    /// </summary>
    public async Task<byte[]?> DownloadAsync(long donorId, int year, CancellationToken ct)
    {
        var statementId = await db.Statements.AsNoTracking()
            .Where(s => s.DonorId == donorId && s.Year == year && s.Status == StatementStatus.Sent)
            .Select(s => (long?)s.Id).SingleOrDefaultAsync(ct);
        if (statementId is not { } id) return null;
        var pdf = await db.StatementDocuments.AsNoTracking()
            .Where(d => d.StatementId == id && (d.Revision == 1 || d.Status == StatementDocumentStatus.Sent))
            .OrderByDescending(d => d.Revision)
            .Select(d => d.Pdf)
            .FirstOrDefaultAsync(ct);
        if (pdf is not null) return pdf;

        var ledgers = await documents.LoadAsync([donorId], year, ct);
        if (!ledgers.TryGetValue(donorId, out var ledger) || ledger.IsEmpty) return null;
        return (await ForRunAsync(id, everSent: true, ledger, ct)).Document.Pdf;
    }
}
