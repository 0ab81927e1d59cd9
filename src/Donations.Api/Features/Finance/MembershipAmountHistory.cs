using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Events;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Keeps each membership's amount as the subscription events leave it (a donor's amount change in
/// the portal reaches us as <c>customer.subscription.updated</c>), one row per change, so the revenue
/// page can count upgraded members per month. Compared as a month's worth: an annual gift counts a
/// twelfth. The first amount seen is the baseline, never an upgrade. After-commit, so a change lost
/// with a dying process is found at the membership's next event, dated then.
/// </summary>
public sealed class MembershipAmountHistory(DonationsDbContext db) : IAfterCommit<MembershipChanged>
{
    public async Task AfterCommitAsync(IReadOnlyList<MembershipChanged> events, CancellationToken ct)
    {
        var added = false;
        foreach (var m in events.Select(e => e.Membership).DistinctBy(m => m.Id))
        {
            var last = await db.MembershipAmountChanges.AsNoTracking().Where(c => c.MembershipId == m.Id)
                .OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);
            if (last is not null && ((last.ToAmount == m.MonthlyAmount && last.Interval == m.Interval) || last.ChangedAt > m.LastEventAt)) continue;
            db.MembershipAmountChanges.Add(new MembershipAmountChange
            {
                MembershipId = m.Id, ChangedAt = m.LastEventAt, FromAmount = last?.ToAmount, ToAmount = m.MonthlyAmount, Interval = m.Interval,
                Upgrade = last is not null && MonthlyWorth(m.MonthlyAmount, m.Interval) > MonthlyWorth(last.ToAmount, last.Interval),
            });
            added = true;
        }
        if (added) await db.SaveChangesAsync(ct);
    }

    public static long MonthlyWorth(long amount, string interval) => interval == "year" ? amount / 12 : amount;
}
