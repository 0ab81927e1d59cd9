using Donations.Api.Infrastructure.Jobs;
using Hangfire;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Asks for a membership lifecycle email. Event handlers call it every time they see the
/// occasion, duplicates and retries included: each email goes out once per occasion (see
/// <see cref="SendMembershipEmail"/>), so calling again is always safe.
/// </summary>
public interface IMembershipNotifier
{
    /// <summary>The first payment of a membership went through.</summary>
    void Welcome(long membershipId);

    /// <summary>A payment failed; one email per invoice however many retries fail.</summary>
    void PaymentFailed(long membershipId, string invoiceId);

    /// <summary>The membership has ended.</summary>
    void Canceled(long membershipId);
}

internal sealed class MembershipNotifier(IBackgroundJobClient jobs) : IMembershipNotifier
{
    public void Welcome(long membershipId) =>
        jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.WelcomeAsync(membershipId, CancellationToken.None));

    public void PaymentFailed(long membershipId, string invoiceId) =>
        jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.PaymentFailedAsync(membershipId, invoiceId, CancellationToken.None));

    public void Canceled(long membershipId) =>
        jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.CanceledAsync(membershipId, CancellationToken.None));
}
