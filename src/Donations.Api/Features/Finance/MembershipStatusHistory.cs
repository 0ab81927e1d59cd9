using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Events;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Keeps each membership's status (and whether collection is paused) as the Stripe events leave
/// it, one row per change, so the revenue page counts a past month's paying members as they were
/// then, not as they are now. A failed renewal makes a membership past due without a subscription
/// event of its own, so it is followed too. After-commit, like <see cref="MembershipAmountHistory"/>:
/// a change lost with a dying process is found at the membership's next event, dated then.
/// </summary>
public sealed class MembershipStatusHistory(DonationsDbContext db) : IAfterCommit<MembershipChanged>, IAfterCommit<RenewalFailed>
{
    public Task AfterCommitAsync(IReadOnlyList<MembershipChanged> events, CancellationToken ct) =>
        RecordAsync(events.Select(e => (e.Membership, e.Membership.LastEventAt)), ct);

    public Task AfterCommitAsync(IReadOnlyList<RenewalFailed> events, CancellationToken ct) =>
        RecordAsync(events.Where(e => e.Membership.Status == "past_due").Select(e => (e.Membership, e.FailedAt)), ct);

    private async Task RecordAsync(IEnumerable<(Membership Membership, DateTime At)> changes, CancellationToken ct)
    {
        var added = false;
        foreach (var (m, at) in changes.OrderBy(c => c.At).DistinctBy(c => c.Membership.Id))
        {
            var last = await db.MembershipStatusChanges.AsNoTracking().Where(c => c.MembershipId == m.Id)
                .OrderByDescending(c => c.ChangedAt).ThenByDescending(c => c.Id).FirstOrDefaultAsync(ct);
            if (last is not null && ((last.Status == m.Status && last.Paused == m.Paused) || last.ChangedAt > at)) continue;
            db.MembershipStatusChanges.Add(new MembershipStatusChange { MembershipId = m.Id, ChangedAt = at, Status = m.Status, Paused = m.Paused });
            added = true;
        }
        if (added) await db.SaveChangesAsync(ct);
    }
}
