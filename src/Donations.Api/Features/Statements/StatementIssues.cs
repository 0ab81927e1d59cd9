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
    /// <param name="firstAttempt">Nobody has tried to send it yet, so nothing was issued: the look-up is saved (a run does this per donor).</param>
    public async Task<(Stored Document, MailContent Content)> ForRunAsync(long statementId, bool everSent, StatementLedger ledger, CancellationToken ct,
        bool firstAttempt = false)
    {
        var fingerprint = ledger.Fingerprint();
        var latest = firstAttempt ? null : await LatestAsync(statementId, ct);
        if (latest is not null && (everSent || latest.Issue.Revision > 1 || latest.Fingerprint == fingerprint))
            return (latest, await documents.RenderAsync(ledger, latest.Issue));

        var issue = new StatementIssue(1, Number(ledger.Year, statementId, 1), clock.GetUtcNow().UtcDateTime);
        var content = await documents.RenderAsync(ledger, issue);
        var pdf = documents.Pdf(content);
        if (latest is not null)
        {
            await db.StatementDocuments.Where(d => d.Id == latest.Id && d.Fingerprint == latest.Fingerprint)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Pdf, pdf)
                    .SetProperty(d => d.Fingerprint, fingerprint)
                    .SetProperty(d => d.IssuedAt, issue.IssuedAt), ct);
            return (latest with { Issue = issue, Pdf = pdf, Fingerprint = fingerprint }, content);
        }

        var row = new StatementDocument
        {
            StatementId = statementId,
            Revision = 1,
            Number = issue.Number,
            IssuedAt = issue.IssuedAt,
            Pdf = pdf,
            Fingerprint = fingerprint,
            Status = StatementDocumentStatus.Sent, // sent with the statement row
        };
        if (await RowClaims.TryInsertAsync(db, d => d.StatementDocuments.Add(row), ct))
            return (new Stored(row.Id, issue, pdf, fingerprint, row.Status, null, 0), content);
        var stored = (await LatestAsync(statementId, ct))!;
        return (stored, await documents.RenderAsync(ledger, stored.Issue));
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
