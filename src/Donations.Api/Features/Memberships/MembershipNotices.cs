using Donations.Api.Features.StripeWebhooks;
using Donations.Data.Entities;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Turns what a Stripe event did to memberships into lifecycle emails, once the event's effects
/// are committed (so the email job finds them, and new memberships have their ids). It asks on
/// every event that could be the occasion; <see cref="SendMembershipEmail"/> keeps each email to
/// one per occasion and checks the occasion still holds when it runs.
/// </summary>
public sealed class MembershipNotices(IMembershipNotifier notifier, TimeProvider time)
{
    /// <summary>Members who joined longer ago than this are not welcomed (e.g. when this feature is first deployed).</summary>
    public static readonly TimeSpan WelcomeWindow = TimeSpan.FromDays(35);

    public void AfterCommit(StripeEventEffects effects)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // The first payment may arrive before or after its subscription: either event can be the one
        // that brings a membership and its first paid month together.
        var memberships = effects.Memberships
            .Concat(effects.Donations.Select(d => d.Membership).OfType<Membership>())
            .Where(m => m.Id != 0)
            .DistinctBy(m => m.Id);
        foreach (var m in memberships)
        {
            if (m.Status == "canceled") notifier.Canceled(m.Id);
            else if (m.StartedAt >= now - WelcomeWindow) notifier.Welcome(m.Id);
        }
        foreach (var (m, invoiceId) in effects.FailedPayments.DistinctBy(f => f.InvoiceId))
            notifier.PaymentFailed(m.Id, invoiceId);
    }
}
