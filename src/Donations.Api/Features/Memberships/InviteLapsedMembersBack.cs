using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Daily: members whose monthly gift ended (canceled or unpaid) <c>Memberships:WinBackAfterDays</c>
/// ago, counted from <c>Membership.LapsedAt</c> (when it stopped, not its newest event), get one
/// invitation back, to the donate page prefilled with their gift. Lapses older than
/// <see cref="Window"/> beyond that are left alone, so turning the email on does not write to
/// everyone who ever left. A donor who gives monthly again is not asked; each lapse is asked once
/// (<c>win-back:&lt;subscription&gt;</c>), so a re-join that lapses again may be asked again.
/// </summary>
public sealed class InviteLapsedMembersBack(
    DonationsDbContext db, IBackgroundJobClient jobs, TimeProvider clock, IOptions<MembershipsOptions> options,
    ILogger<InviteLapsedMembersBack> log)
{
    public const string JobId = "memberships-win-back";
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);
    private const int Limit = 1000;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken ct)
    {
        var afterDays = options.Value.WinBackAfterDays;
        if (afterDays == 0) return;
        var dueBy = clock.GetUtcNow().UtcDateTime.AddDays(-afterDays);
        var notBefore = dueBy - Window;
        const string prefix = SendMembershipEmail.WinBackKind + ":";
        var due = await db.Memberships.AsNoTracking()
            .Where(m => MembershipLapses.Ended.Contains(m.Status) && m.LapsedAt <= dueBy && m.LapsedAt > notBefore)
            .Select(m => new { m.Id, m.DonorId, m.StripeSubscriptionId, m.LapsedAt })
            .Where(m => !db.Notifications.Any(n => n.Key == prefix + m.StripeSubscriptionId))
            .Where(m => !db.Memberships.Any(o => o.DonorId == m.DonorId && MembershipLapses.Current.Contains(o.Status)))
            .OrderByDescending(m => m.LapsedAt).Take(Limit)
            .ToListAsync(ct);
        // A donor who ended two gifts hears once, about the latest.
        foreach (var m in due.DistinctBy(m => m.DonorId))
            jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.WinBackAsync(m.Id, CancellationToken.None));
        if (due.Count > 0) log.LogInformation("Win-back: {Count} lapsed members invited back", due.DistinctBy(m => m.DonorId).Count());
    }
}

/// <summary>The daily membership follow-ups, at <c>Memberships:FollowUpCron</c> (UTC).</summary>
public sealed class MembershipFollowUpSchedule(IOptions<MembershipsOptions> options) : IRecurringJobDefinition
{
    public void Register(IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<RemindExpiringCards>(RemindExpiringCards.JobId, JobQueues.Default, j => j.RunAsync(CancellationToken.None), options.Value.FollowUpCron);
        jobs.AddOrUpdate<InviteLapsedMembersBack>(InviteLapsedMembersBack.JobId, JobQueues.Default, j => j.RunAsync(CancellationToken.None), options.Value.FollowUpCron);
    }
}
