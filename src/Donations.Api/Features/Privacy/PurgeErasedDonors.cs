using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// Daily: an erased donor whose last gift is more than <c>Privacy:RetentionYears</c> old is removed
/// with everything that remains of them (gifts, receipts, their settlement rows, memberships,
/// statements, email markers), children first since the foreign keys restrict deletes. One donor per
/// transaction, so a failure leaves each donor either whole or gone.
/// </summary>
public sealed class PurgeErasedDonors(DonationsDbContext db, TimeProvider clock, IOptions<PrivacyOptions> privacy, ILogger<PurgeErasedDonors> log)
{
    public const string JobId = "privacy-purge-erased-donors";
    private const int Limit = 200;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddYears(-privacy.Value.RetentionYears);
        var due = await db.Donors.AsNoTracking()
            .Where(d => d.ErasedAt != null && !db.Donations.Any(g => g.DonorId == d.Id && g.ReceivedAt > cutoff))
            .OrderBy(d => d.Id).Select(d => d.Id).Take(Limit).ToListAsync(ct);
        var failed = 0;
        foreach (var donorId in due)
        {
            // One donor that cannot be removed must not hold back every donor after it, day after day.
            try
            {
                await PurgeAsync(donorId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed++;
                db.ChangeTracker.Clear();
                log.LogError(e, "Retention ended for erased donor {DonorId}, but removing what remains failed; tried again tomorrow", donorId);
            }
        }
        if (due.Count > 0)
            log.LogWarning("Retention ended: {Count} erased donors removed with their gifts and receipts, {Failed} failed",
                due.Count - failed, failed);
    }

    private async Task PurgeAsync(long donorId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var gifts = db.Donations.Where(g => g.DonorId == donorId);
        var receipts = db.Receipts.Where(r => r.Donation!.DonorId == donorId);
        await db.ReceiptDocuments.Where(doc => receipts.Any(r => r.Id == doc.ReceiptId)).ExecuteDeleteAsync(ct);
        await receipts.ExecuteDeleteAsync(ct);
        await db.GiftSettlements.Where(s => gifts.Any(g => g.Id == s.DonationId)).ExecuteDeleteAsync(ct);
        // Stripe's balance transactions are the organisation's books (payouts must still add up):
        // they stay, no longer pointing at the gift.
        await db.StripeBalanceTransactions.Where(t => gifts.Any(g => g.Id == t.DonationId))
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.DonationId, (long?)null), ct);
        await gifts.ExecuteDeleteAsync(ct);
        var memberships = db.Memberships.Where(m => m.DonorId == donorId);
        await db.GiftChanges.Where(c => c.DonorId == donorId || memberships.Any(m => m.Id == c.MembershipId)).ExecuteDeleteAsync(ct);
        await db.MembershipAmountChanges.Where(c => memberships.Any(m => m.Id == c.MembershipId)).ExecuteDeleteAsync(ct);
        await db.MembershipStatusChanges.Where(c => memberships.Any(m => m.Id == c.MembershipId)).ExecuteDeleteAsync(ct);
        await db.MembershipPaymentFailures.Where(f => memberships.Any(m => m.Id == f.MembershipId)).ExecuteDeleteAsync(ct);
        await memberships.ExecuteDeleteAsync(ct);
        await db.StatementDocuments.Where(doc => doc.Statement!.DonorId == donorId).ExecuteDeleteAsync(ct);
        await db.Statements.Where(s => s.DonorId == donorId).ExecuteDeleteAsync(ct);
        await db.Notifications.Where(n => n.DonorId == donorId).ExecuteDeleteAsync(ct);
        await db.DonorSignInTokens.Where(t => t.DonorId == donorId).ExecuteDeleteAsync(ct);
        await db.Donors.Where(d => d.Id == donorId).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        log.LogInformation("Erased donor {DonorId} removed at the end of retention", donorId);
    }
}

/// <summary>The daily privacy jobs, at <c>Privacy:PurgeCron</c> (UTC): the retention purge and the sweep of late events about erased donors.</summary>
public sealed class PrivacySchedule(IOptions<PrivacyOptions> options) : IRecurringJobDefinition
{
    public void Register(IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<PurgeErasedDonors>(PurgeErasedDonors.JobId, JobQueues.Default, j => j.RunAsync(CancellationToken.None), options.Value.PurgeCron);
        jobs.AddOrUpdate<ScrubLateEvents>(ScrubLateEvents.JobId, JobQueues.Default, j => j.SweepAsync(CancellationToken.None), options.Value.PurgeCron);
    }
}
