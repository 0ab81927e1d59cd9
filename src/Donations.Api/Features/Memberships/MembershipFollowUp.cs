using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Events;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// What memberships do once gifts and subscription changes are committed: join gifts to their
/// membership, then ask for lifecycle emails (so the email job finds the link, and new memberships
/// have their ids). It asks on every occasion it sees; <see cref="SendMembershipEmail"/> keeps each
/// email to one per occasion and checks the occasion still holds when it runs.
/// </summary>
public sealed class MembershipFollowUp(DonationsDbContext db, MembershipNotifier notifier, TimeProvider time)
    : IAfterCommit<DonationChanged>, IAfterCommit<MembershipChanged>, IAfterCommit<RenewalFailed>
{
    /// <summary>Members who joined longer ago than this are not welcomed (e.g. when this feature is first deployed).</summary>
    public static readonly TimeSpan WelcomeWindow = TimeSpan.FromDays(35);

    // The first payment may arrive before or after its subscription: either event can be the one
    // that brings a membership and its first paid month together.
    public async Task AfterCommitAsync(IReadOnlyList<DonationChanged> events, CancellationToken ct)
    {
        var gifts = events.Select(e => e.Donation).ToList();
        await LinkGiftsAsync(gifts.Select(d => d.StripeSubscriptionId), ct);
        Notify(gifts.Select(d => d.Membership).OfType<Membership>());
    }

    public async Task AfterCommitAsync(IReadOnlyList<MembershipChanged> events, CancellationToken ct)
    {
        var memberships = events.Select(e => e.Membership).ToList();
        await LinkGiftsAsync(memberships.Select(m => m.StripeSubscriptionId), ct);
        Notify(memberships);
    }

    public Task AfterCommitAsync(IReadOnlyList<RenewalFailed> events, CancellationToken ct)
    {
        foreach (var failed in events.DistinctBy(f => f.InvoiceId))
            notifier.PaymentFailed(failed.Membership.Id, failed.InvoiceId);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A subscription's first event and one of its invoices can be processed at the same moment
    /// by two workers, each committing before it can see the other's row, leaving the gift
    /// unlinked. Linking again after commit closes that gap: whichever job links last runs after
    /// both commits.
    /// </summary>
    private async Task LinkGiftsAsync(IEnumerable<string?> subscriptionIds, CancellationToken ct)
    {
        foreach (var subscription in subscriptionIds.OfType<string>().Distinct())
            await db.Donations
                .Where(d => d.StripeSubscriptionId == subscription && d.MembershipId == null
                            && db.Memberships.Any(m => m.StripeSubscriptionId == subscription))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.MembershipId, d => db.Memberships
                    .Where(m => m.StripeSubscriptionId == subscription)
                    .Select(m => (long?)m.Id)
                    .First()), ct);
    }

    private void Notify(IEnumerable<Membership> memberships)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var m in memberships.Where(m => m.Id != 0).DistinctBy(m => m.Id))
        {
            if (MembershipLapses.StripeGaveUp(m.Status, m.StripeCancellationReason)) notifier.Lapsed(m.Id);
            else if (m.Status == "canceled") notifier.Canceled(m.Id);
            else if (m.StartedAt >= now - WelcomeWindow) notifier.Welcome(m.Id);
        }
    }
}
