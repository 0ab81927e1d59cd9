using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Recurring: finds gifts whose Stripe fees are not recorded yet, or whose refunds or dispute
/// changed since they were, and hands each to <see cref="FetchGiftSettlement"/>. Each handed-over
/// gift is leased for a while so that a slow Stripe does not get the same question twice.
/// </summary>
public sealed class SweepGiftSettlements(DonationsDbContext db, IBackgroundJobClient jobs, TimeProvider time, ILogger<SweepGiftSettlements> log)
{
    public const string RecurringJobId = "finance-gift-settlements";
    private const int BatchSize = 500;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    [DisableConcurrentExecution(60)]
    public async Task<int> RunAsync()
    {
        try
        {
            return await HandOverAsync();
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            // A gift's row was added meanwhile (receipts read a new foreign gift's settlement before
            // issuing its receipt): once more, now seeing it.
            db.ChangeTracker.Clear();
            return await HandOverAsync();
        }
    }

    private async Task<int> HandOverAsync()
    {
        var ct = CancellationToken.None;
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.Donations.AsNoTracking()
            .Where(d => !db.GiftSettlements.Any(s => s.DonationId == d.Id
                && (s.NextAttemptAt > now
                    || (s.CheckedAt != null && s.CheckedRefundedAmount == d.RefundedAmount && s.CheckedDisputeStatus == d.DisputeStatus))))
            .OrderBy(d => d.Id).Select(d => d.Id).Take(BatchSize).ToListAsync(ct);
        if (due.Count == 0) return 0;

        var known = await db.GiftSettlements.Where(s => due.Contains(s.DonationId)).ToDictionaryAsync(s => s.DonationId, ct);
        foreach (var id in due)
        {
            if (!known.TryGetValue(id, out var s)) db.GiftSettlements.Add(s = new GiftSettlement { DonationId = id });
            s.NextAttemptAt = now + Lease;
        }
        await db.SaveChangesAsync(ct);
        foreach (var id in due) jobs.Enqueue<FetchGiftSettlement>(JobQueues.Default, j => j.RunAsync(id));
        log.LogInformation("{Count} gifts handed over to read their Stripe fees", due.Count);
        return due.Count;
    }
}
