using Donations.Api.Infrastructure.Jobs;
using Hangfire;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Asks for a membership lifecycle email. Event handlers call it every time they see the
/// occasion, duplicates and retries included: each email goes out once per occasion (see
/// <see cref="SendMembershipEmail"/>), so calling again is always safe.
/// </summary>
public sealed class MembershipNotifier(IBackgroundJobClient jobs)
{
    /// <summary>The first payment of a membership went through.</summary>
    public void Welcome(long membershipId) =>
        jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.WelcomeAsync(membershipId, CancellationToken.None));

    /// <summary>A payment failed; one email per invoice however many retries fail.</summary>
    public void PaymentFailed(long membershipId, string invoiceId) =>
        jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.PaymentFailedAsync(membershipId, invoiceId, CancellationToken.None));

    /// <summary>Stripe gave up collecting the gift after its retries: "we couldn't renew".</summary>
    public void Lapsed(long membershipId) =>
        jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.LapsedAsync(membershipId, CancellationToken.None));

    /// <summary>The membership has ended.</summary>
    public void Canceled(long membershipId) =>
        jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.CanceledAsync(membershipId, CancellationToken.None));
}
