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
/// twelfth. The first amount seen is the baseline, never an upgrade. Written in the event's own
/// commit (before-commit), so the rows follow the order the changes commit in: a change's row
/// cannot be written after a later one's, and none is lost with a dying process.
/// </summary>
public sealed class MembershipAmountHistory(DonationsDbContext db) : IBeforeCommit<MembershipChanged>
{
    public async Task BeforeCommitAsync(IReadOnlyList<MembershipChanged> events, CancellationToken ct)
    {
        foreach (var m in events.Select(e => e.Membership).Distinct())
        {
            var last = await LastAsync(m, ct);
            if (last is not null && ((last.ToAmount == m.MonthlyAmount && last.Interval == m.Interval) || last.ChangedAt > m.LastEventAt)) continue;
            db.MembershipAmountChanges.Add(new MembershipAmountChange
            {
                Membership = m, ChangedAt = m.LastEventAt, FromAmount = last?.ToAmount, ToAmount = m.MonthlyAmount, Interval = m.Interval,
                Upgrade = last is not null && MonthlyWorth(m.MonthlyAmount, m.Interval) > MonthlyWorth(last.ToAmount, last.Interval),
            });
        }
    }

    // One unit of work changes a membership once (a group never holds two events of one
    // subscription), so the last row is a saved one; a membership being added has none.
    private async Task<MembershipAmountChange?> LastAsync(Membership m, CancellationToken ct) =>
        db.Entry(m).State == EntityState.Added
            ? null
            : await db.MembershipAmountChanges.AsNoTracking().Where(c => c.MembershipId == m.Id)
                .OrderByDescending(c => c.Id).FirstOrDefaultAsync(ct);

    public static long MonthlyWorth(long amount, string interval) => interval == "year" ? amount / 12 : amount;
}
