using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// The safety net: a gift whose scheduling call was lost (a crash between commit and enqueue),
/// a refund whose follow-up never ran, or a pending receipt whose sender died, is found here
/// within a minute. Everything it starts is idempotent, so finding something twice is harmless.
/// It is also how a gift in another currency whose first receipt is held for Stripe's settlement
/// (<see cref="ReconcileReceipts"/>) comes back: each pass costs the database a look, and Stripe a
/// call only when the settlement's back-off allows.
/// </summary>
public sealed class ReceiptsSweeper(DonationsDbContext db, ReceiptScheduler scheduler, TimeProvider clock, ILogger<ReceiptsSweeper> log)
{
    public const string JobId = "receipts-sweeper";
    private const int Limit = 1000;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 10)]
    public async Task RunAsync(CancellationToken ct)
    {
        var unreceipted = await db.Donations
            .Where(d => d.Amount > 0 && !d.Receipts.Any(r => r.Kind == ReceiptKind.Original))
            .OrderBy(d => d.Id).Select(d => d.Id).Take(Limit).ToListAsync(ct);

        // The standing receipt (delivered, not voided) no longer states what the gift is worth. A
        // lost dispute is in RefundedAmount: a partly lost one leaves a corrected receipt standing.
        var stale = await db.Donations
            .Where(d => d.RefundedAmount > 0 || d.Status == DonationStatus.Refunded)
            .Where(d => d.Receipts.Any(r => r.Kind != ReceiptKind.VoidNotice
                && r.Status != ReceiptStatus.Voided && r.Status != ReceiptStatus.Pending
                && (d.Status == DonationStatus.Refunded || r.Amount != d.Amount - d.RefundedAmount)))
            .OrderBy(d => d.Id).Select(d => d.Id).Take(Limit).ToListAsync(ct);

        // Voided, yet the gift counts again (a lost dispute won on appeal): a reinstated receipt is due.
        var reinstated = await db.Donations
            .Where(d => d.RefundedAmount < d.Amount && d.Status != DonationStatus.Refunded && d.Status != DonationStatus.Disputed)
            .Where(d => d.Receipts.Any(r => r.Kind == ReceiptKind.VoidNotice && r.Status != ReceiptStatus.Pending)
                        && !d.Receipts.Any(r => r.Kind != ReceiptKind.VoidNotice && r.Status != ReceiptStatus.Voided))
            .OrderBy(d => d.Id).Select(d => d.Id).Take(Limit).ToListAsync(ct);
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
}

public sealed class ReceiptsSweeperSchedule : IRecurringJobDefinition
{
    public void Register(IRecurringJobManager jobs) =>
        jobs.AddOrUpdate<ReceiptsSweeper>(ReceiptsSweeper.JobId, JobQueues.Email, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
}
