using System.Globalization;
using Donations.Api.Features.Donations;
using Donations.Api.Features.Receipts;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Statements;

/// <summary>
/// A gift of a year whose statement was sent changed (refunded, lost or won back in a dispute,
/// or a late payment dated in that year arrived): once the gift's receipts are in line with it,
/// a corrected statement is issued, numbered after the last one and referencing the first, and
/// sent once. Exactly once like receipts: the revision is unique per statement, the send is
/// claimed with a lease and marked after it, and a crash in between resends with the same
/// Message-Id once the lease has run out. Running it again when nothing changed does nothing.
/// </summary>
public sealed class CorrectStatement(
    DonationsDbContext db,
    StatementDocuments documents,
    StatementIssues issues,
    OutboundMail mail,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    ILogger<CorrectStatement> log)
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>How many times the job waits for receipts (or a run) before it corrects with what stands: about three hours.</summary>
    private const int PatientAttempts = 12;

    [AutomaticRetry(Attempts = 10, DelaysInSeconds = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200])]
    public async Task RunAsync(long statementId, int attempt, CancellationToken ct)
    {
        var statement = await db.Statements.AsNoTracking().Where(s => s.Id == statementId)
            .Select(s => new { s.DonorId, s.Year, s.Status, s.MessageId }).SingleOrDefaultAsync(ct);
        // A run is on it: it sends the year as it stands, and this looks again once it is out.
        if (statement?.Status == StatementStatus.Pending && attempt < PatientAttempts)
        {
            Later(statementId, attempt);
            return;
        }
        if (statement?.Status != StatementStatus.Sent) return;
        // Sent before statements were kept: there is nothing issued to compare with.
        if (await issues.LatestAsync(statementId, ct) is not { } latest) return;

        var ledger = (await documents.LoadAsync([statement.DonorId], statement.Year, ct))[statement.DonorId];
        if (latest.Status == StatementDocumentStatus.Pending)
        {
            if (!await SendAsync(statementId, latest, ledger, statement.MessageId, ct)) return;
            latest = latest with { Status = StatementDocumentStatus.Sent };
        }
        if (latest.Fingerprint == ledger.Fingerprint()) return;

        if (!await ReceiptsCaughtUpAsync(statement.DonorId, statement.Year, ct) && attempt < PatientAttempts)
        {
            Later(statementId, attempt);
            return;
        }
        var messageId = mail.NewMessageId($"statement-{statement.Year}-{statement.DonorId}-r{latest.Issue.Revision + 1}");
        if (!await issues.IssueCorrectionAsync(statementId, latest, ledger, messageId, ct)) return; // another job issued it and sends it
        log.LogInformation("Statements: corrected statement {Revision} issued for statement {StatementId}", latest.Issue.Revision + 1, statementId);
        if (await issues.LatestAsync(statementId, ct) is { Status: StatementDocumentStatus.Pending } correction)
            await SendAsync(statementId, correction, ledger, statement.MessageId, ct);
    }

    /// <summary>The corrected statement should cite the receipts that now stand: wait until every gift of the year has them.</summary>
    private async Task<bool> ReceiptsCaughtUpAsync(long donorId, int year, CancellationToken ct)
    {
        var bounds = documents.YearOf(year);
        var gifts = await db.Donations.AsNoTracking()
            .Where(d => d.DonorId == donorId && d.ReceivedAt >= bounds.StartUtc && d.ReceivedAt < bounds.EndUtc)
            .Include(d => d.Receipts)
            .ToListAsync(ct);
        return gifts.All(d => d.Receipts.All(r => r.Status != ReceiptStatus.Pending)
            && (ReceiptRules.Standing(d.Receipts)?.Amount ?? 0) == GiftAmounts.StatedAmount(d));
    }

    /// <summary>True once the correction is out (or refused for good); false when another sender holds it.</summary>
    private async Task<bool> SendAsync(long statementId, StatementIssues.Stored correction, StatementLedger ledger, string thread, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var claimed = correction.Attempts + 1;
        var taken = await db.StatementDocuments
            .Where(d => d.Id == correction.Id && d.Status == StatementDocumentStatus.Pending && d.Attempts == correction.Attempts
                && (d.ClaimedUntil == null || d.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Attempts, claimed).SetProperty(d => d.ClaimedUntil, now + Lease), ct) == 1;
        if (!taken)
        {
            // Another sender holds it (or a dead one's lease runs): look again when the lease is over.
            if (!await db.StatementDocuments.AnyAsync(d => d.Id == correction.Id && d.Status == StatementDocumentStatus.Pending, ct)) return true;
            jobs.Schedule<CorrectStatement>(JobQueues.Email, job => job.RunAsync(statementId, 0, CancellationToken.None), Lease + TimeSpan.FromSeconds(5));
            return false;
        }

        var content = await documents.RenderAsync(ledger, correction.Issue);
        var message = documents.Compose(ledger, content, correction.Pdf, correction.MessageId!, thread);
        try
        {
            await mail.SendAsync(message, ct);
        }
        catch (EmailRejectedException ex)
        {
            log.LogWarning("Statements: corrected statement {Number} refused by the mail server: {Reason}", correction.Issue.Number, ex.Message);
            await MarkAsync(correction.Id, claimed, StatementDocumentStatus.Failed, ex.Message);
            return true;
        }
        catch (Exception ex)
        {
            await db.StatementDocuments.Where(d => d.Id == correction.Id && d.Attempts == claimed)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimedUntil, (DateTime?)null).SetProperty(d => d.LastError, Truncate(ex.Message)), CancellationToken.None);
            throw;
        }
        await MarkAsync(correction.Id, claimed, StatementDocumentStatus.Sent, null);
        log.LogInformation("Statements: corrected statement {Number} sent", correction.Issue.Number);
        return true;
    }

    // Not cancellable: once the message is out, the marker must say so.
    private Task MarkAsync(long id, int claimed, StatementDocumentStatus status, string? error)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.StatementDocuments.Where(d => d.Id == id && d.Status == StatementDocumentStatus.Pending && d.Attempts == claimed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, status)
                .SetProperty(d => d.SentAt, status == StatementDocumentStatus.Sent ? now : null)
                .SetProperty(d => d.LastError, Truncate(error))
                .SetProperty(d => d.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }

    /// <summary>Soon at first (receipts follow within seconds), then backing off to an hour.</summary>
    private void Later(long statementId, int attempt)
    {
        var delay = TimeSpan.FromSeconds(Math.Min(3600, 2 * Math.Pow(2, attempt)));
        jobs.Schedule<CorrectStatement>(JobQueues.Email, job => job.RunAsync(statementId, attempt + 1, CancellationToken.None), delay);
    }

    private static string? Truncate(string? s) => s is { Length: > 2000 } ? s[..2000] : s;
}

/// <summary>
/// After a gift is recorded or changed, looks for a statement already issued (or being sent) for
/// the donor's year of that gift, and asks for its correction: one query per published batch, and
/// inside a batch of Stripe events one when the batch ends. Held work dies with its process, so an
/// hourly sweep (<see cref="SweepAsync"/>) asks again for every gift recorded or changed since the
/// sweep before; a correction asked for twice is made once (see <see cref="CorrectStatement"/>).
/// </summary>
public sealed class ScheduleStatementCorrections(
    DonationsDbContext db, IBackgroundJobClient jobs, JobStorage storage, AfterCommitBatch batch, IOptions<OrganizationOptions> organization,
    TimeProvider clock) : IAfterCommit<DonationChanged>
{
    public const string RecurringJobId = "statement-corrections-sweep";
    public static readonly TimeSpan FirstLookBack = TimeSpan.FromHours(2);
    public static readonly TimeSpan LongestLookBack = TimeSpan.FromDays(7);
    public static readonly TimeSpan Overlap = TimeSpan.FromMinutes(10);
    private const string WatermarkKey = "statement-corrections-sweep", SweptFrom = "swept-from";

    public Task AfterCommitAsync(IReadOnlyList<DonationChanged> events, CancellationToken ct)
    {
        var zone = organization.Value.GetTimeZone();
        var years = events.Select(e => (e.Donation.DonorId, Infrastructure.Dates.Local(e.Donation.ReceivedAt, zone).Year));
        return batch.GatherAsync(this, years, ScheduleAsync, ct);
    }

    private async Task ScheduleAsync(IReadOnlyList<(long DonorId, int Year)> gathered, CancellationToken ct)
    {
        var years = gathered.ToHashSet();
        var donorIds = years.Select(y => y.DonorId).Distinct().ToList();
        var statements = await db.Statements.AsNoTracking()
            .Where(s => donorIds.Contains(s.DonorId) && (s.Status == StatementStatus.Sent || s.Status == StatementStatus.Pending))
            .Select(s => new { s.Id, s.DonorId, s.Year })
            .ToListAsync(ct);
        foreach (var s in statements.Where(s => years.Contains((s.DonorId, s.Year))))
            jobs.Enqueue<CorrectStatement>(JobQueues.Email, job => job.RunAsync(s.Id, 0, CancellationToken.None));
    }

    /// <summary>
    /// The recurring job: asks again for the statements of every gift recorded or changed since the
    /// last sweep began (kept in Hangfire's storage, less <see cref="Overlap"/> for transactions
    /// still open then; <see cref="FirstLookBack"/> the first time, never more than
    /// <see cref="LongestLookBack"/>). Only gifts dated before the end of the latest year with
    /// statements can concern one, so a day's new gifts cost nothing once the year has moved on.
    /// </summary>
    public async Task SweepAsync()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        using var connection = storage.GetConnection();
        var last = connection.GetAllEntriesFromHash(WatermarkKey)?.GetValueOrDefault(SweptFrom) is { } stamp
            ? DateTime.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
            : (DateTime?)null;
        var since = last is { } l ? l - Overlap : now - FirstLookBack;
        if (since < now - LongestLookBack) since = now - LongestLookBack;

        if (await db.Statements.MaxAsync(s => (int?)s.Year) is { } latest)
        {
            var zone = organization.Value.GetTimeZone();
            var end = StatementYear.Of(latest, zone).EndUtc;
            var changed = await db.Donations.AsNoTracking()
                .Where(d => (d.CreatedAt >= since || d.UpdatedAt >= since) && d.ReceivedAt < end)
                .Select(d => new { d.DonorId, d.ReceivedAt })
                .ToListAsync();
            foreach (var chunk in changed.Select(c => (c.DonorId, Infrastructure.Dates.Local(c.ReceivedAt, zone).Year)).Distinct().Chunk(1000))
                await ScheduleAsync(chunk, CancellationToken.None);
        }
        connection.SetRangeInHash(WatermarkKey, [new KeyValuePair<string, string>(SweptFrom, now.ToString("O", CultureInfo.InvariantCulture))]);
    }

}
