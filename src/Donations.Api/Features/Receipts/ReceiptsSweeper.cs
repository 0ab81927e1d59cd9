using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// The safety net: a gift whose scheduling call was lost (a crash between commit and enqueue),
/// a refund whose follow-up never ran, or a pending receipt whose sender died, is found here
/// within a minute (within the hour if the gift was recorded and last changed over a day ago).
/// Everything it starts is idempotent, so finding something twice is harmless.
/// It is also how a gift in another currency whose first receipt is held for Stripe's settlement
/// (<see cref="ReconcileReceipts"/>) comes back: each pass costs the database a look, and Stripe a
/// call only when the settlement's back-off allows.
/// The minutely pass looks at gifts recorded or changed in the last <see cref="Recent"/> (through
/// their indexes): a pass over every gift grows with the books, a second of PostgreSQL's time a
/// minute at 1.2 million gifts. An hourly pass over all of them finds anything older.
/// </summary>
public sealed class ReceiptsSweeper(DonationsDbContext db, ReceiptScheduler scheduler, TimeProvider clock, ILogger<ReceiptsSweeper> log)
{
    public const string JobId = "receipts-sweeper";
    public const string FullJobId = "receipts-sweeper-full";
    private const int Limit = 1000;

    /// <summary>
    /// What the minutely pass looks back over: far more than the longest a gift's receipt waits on
    /// purpose (<c>Receipts:SettlementWait</c>, at most an hour).
    /// </summary>
    public static readonly TimeSpan Recent = TimeSpan.FromDays(1);

    /// <summary>The minutely pass: gifts recorded or changed in the last <see cref="Recent"/>, and receipts waiting to be sent.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 10)]
    public Task RunAsync(CancellationToken ct) => SweepAsync(clock.GetUtcNow().UtcDateTime - Recent, ct);

    /// <summary>The hourly pass over every gift, at half past (the minutely pass has the hour's turn).</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task RunFullAsync(CancellationToken ct) => SweepAsync(since: null, ct);

    private async Task SweepAsync(DateTime? since, CancellationToken ct)
    {
        var gifts = since is { } from ? db.Donations.Where(d => d.CreatedAt >= from || d.UpdatedAt >= from) : db.Donations;
        var everyPage = since is null;
        var unreceipted = await FindAsync(gifts
            .Where(d => d.Amount > 0 && !d.Receipts.Any(r => r.Kind == ReceiptKind.Original)), everyPage, ct);

        // The standing receipt (delivered, not voided) no longer states what the gift is worth. A
        // lost dispute is in RefundedAmount: a partly lost one leaves a corrected receipt standing.
        var stale = await FindAsync(gifts
            .Where(d => d.RefundedAmount > 0 || d.Status == DonationStatus.Refunded)
            .Where(d => d.Receipts.Any(r => r.Kind != ReceiptKind.VoidNotice
                && r.Status != ReceiptStatus.Voided && r.Status != ReceiptStatus.Pending
                && (d.Status == DonationStatus.Refunded || r.Amount != d.Amount - d.RefundedAmount))), everyPage, ct);

        // Voided, yet the gift counts again (a lost dispute won on appeal): a reinstated receipt is due.
        var reinstated = await FindAsync(gifts
            .Where(d => d.RefundedAmount < d.Amount && d.Status != DonationStatus.Refunded && d.Status != DonationStatus.Disputed)
            .Where(d => d.Receipts.Any(r => r.Kind == ReceiptKind.VoidNotice && r.Status != ReceiptStatus.Pending)
                        && !d.Receipts.Any(r => r.Kind != ReceiptKind.VoidNotice && r.Status != ReceiptStatus.Voided)), everyPage, ct);
        stale.AddRange(reinstated);

        var due = unreceipted.Concat(stale).Distinct().ToList();
        if (due.Count > 0) scheduler.Schedule(due);

        var now = clock.GetUtcNow().UtcDateTime;
        var unsent = await db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Pending && (r.ClaimedUntil == null || r.ClaimedUntil < now), ct);
        if (unsent > 0) scheduler.SendPending();

        if (unreceipted.Count + stale.Count + unsent > 0)
            log.LogInformation("Receipts sweeper: {Unreceipted} gifts without a receipt, {Stale} refunds to reflect, {Unsent} receipts waiting",
                unreceipted.Count, stale.Count, unsent);
    }

    /// <summary>
    /// The first <see cref="Limit"/> gifts found, by id; the hourly pass goes on a page at a time
    /// to the last, so a backlog older than a day (an outage of a weekend) is caught up in one
    /// pass, not a thousand gifts an hour.
    /// </summary>
    private static async Task<List<long>> FindAsync(IQueryable<Donation> found, bool everyPage, CancellationToken ct)
    {
        var ids = new List<long>();
        var last = 0L;
        while (true)
        {
            var after = last;
            var page = await found.Where(d => d.Id > after).OrderBy(d => d.Id).Select(d => d.Id).Take(Limit).ToListAsync(ct);
            ids.AddRange(page);
            if (!everyPage || page.Count < Limit) return ids;
            last = page[^1];
        }
    }
}

public sealed class ReceiptsSweeperSchedule : IRecurringJobDefinition
{
    public void Register(IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<ReceiptsSweeper>(ReceiptsSweeper.JobId, JobQueues.Email, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        jobs.AddOrUpdate<ReceiptsSweeper>(ReceiptsSweeper.FullJobId, JobQueues.Email, job => job.RunFullAsync(CancellationToken.None), "30 * * * *");
    }
}
