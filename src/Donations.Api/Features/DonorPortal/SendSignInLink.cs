using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Email;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// Opens the sealed address (<see cref="SignInRequests"/>), looks it up and, for a donor, stores a fresh token's hash and emails the link. For
/// anyone else it does nothing: the person asking already got the same answer either way.
/// A retry issues a new token (the old one simply expires unused); after a few attempts the link
/// would be stale anyway, so retries are few.
///
/// The one email sent without a claimed row: every send carries a new token, so a second copy
/// after a crash is a second valid link rather than a duplicate message, and it would be wrong to
/// resend an old link the donor may already have used. It goes through <see cref="OutboundMail"/>
/// like every other message.
/// </summary>
public sealed class SendSignInLink(
    DonationsDbContext db, OutboundMail mail, SignInRequests requests, TimeProvider clock,
    IOptions<DonationsOptions> donations, IOptions<OrganizationOptions> org, ILogger<SendSignInLink> log)
{
    [AutomaticRetry(Attempts = 3, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(string sealedRequest, CancellationToken ct)
    {
        if (requests.Open(sealedRequest) is not { } normalizedEmail)
        {
            log.LogWarning("A sign-in link request could not be opened (expired, or sealed with unknown keys); nothing sent");
            return;
        }
        var donor = await db.Donors.AsNoTracking()
            .Where(d => d.Email == normalizedEmail)
            .Select(d => new { d.Id, d.Email, d.Name })
            .SingleOrDefaultAsync(ct);
        if (donor is null)
        {
            log.LogDebug("Sign-in link requested for an address that is not a donor");
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var token = SignInTokens.NewToken();
        // Housekeeping while here: this donor's links that expired a day ago are of no use to anyone.
        await db.DonorSignInTokens.Where(t => t.DonorId == donor.Id && t.ExpiresAt < now.AddDays(-1)).ExecuteDeleteAsync(ct);
        db.DonorSignInTokens.Add(new DonorSignInToken
        {
            DonorId = donor.Id,
            TokenHash = SignInTokens.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + SignInTokens.Lifetime,
        });
        await db.SaveChangesAsync(ct);

        var link = $"{donations.Value.PublicBaseUrl.TrimEnd('/')}/manage/{token}";
        var model = new SignInLinkModel
        {
            OrganizationName = org.Value.Name,
            DonorName = string.IsNullOrWhiteSpace(donor.Name) ? null : donor.Name,
            Link = link,
            Minutes = (int)SignInTokens.Lifetime.TotalMinutes,
        };
        var envelope = new MailEnvelope(donor.Email, donor.Name, mail.NewMessageId($"sign-in-{donor.Id}"));
        await mail.SendAsync(await mail.ComposeAsync("sign-in-link", model, envelope), ct);
        log.LogInformation("Sign-in link sent to donor {DonorId}", donor.Id);
    }
}
