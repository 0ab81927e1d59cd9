namespace Donations.Api.Features.Memberships;

/// <summary>
/// Memberships' question to the donor portal: a link, good without signing in for
/// <see cref="Lifetime"/>, that opens Stripe's card update for one donor's customer. The portal
/// answers it with its own sign-in token machinery, so there is one kind of donor link to revoke.
/// </summary>
public interface IPaymentMethodLinks
{
    TimeSpan Lifetime { get; }

    /// <summary>Issues a fresh link; each call is a new token (an older one simply expires).</summary>
    Task<string> IssueAsync(long donorId, string stripeCustomerId, CancellationToken ct);
}
