using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// The card-update links in membership emails, made like sign-in links (<see cref="SignInTokens"/>:
/// random, only the hash stored, expiring, revoked with the donor's other links) but for one purpose
/// and one Stripe customer: <c>/manage/card/{token}</c> opens Stripe's payment-method update for
/// that customer and can do nothing else. It lasts days rather than minutes, since the email is
/// read when the donor gets to it, and works more than once, since mail scanners open links too.
/// </summary>
public sealed class PaymentMethodLinks(DonationsDbContext db, TimeProvider clock, IOptions<DonationsOptions> donations) : IPaymentMethodLinks
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(3);

    public TimeSpan Lifetime => LinkLifetime;

    public async Task<string> IssueAsync(long donorId, string stripeCustomerId, CancellationToken ct)
    {
        var token = SignInTokens.NewToken();
        var now = clock.GetUtcNow().UtcDateTime;
        db.DonorSignInTokens.Add(new DonorSignInToken
        {
            DonorId = donorId,
            TokenHash = SignInTokens.Hash(token),
            Purpose = DonorSignInToken.PaymentMethodUpdatePurpose,
            StripeCustomerId = stripeCustomerId,
            CreatedAt = now,
            ExpiresAt = now + LinkLifetime,
        });
        await db.SaveChangesAsync(ct);
        return $"{donations.Value.PublicBaseUrl.TrimEnd('/')}/manage/card/{token}";
    }
}
