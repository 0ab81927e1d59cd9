using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Email;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// Opens the sealed address (<see cref="SignInRequests"/>), looks it up and, for a donor, stores a fresh token's hash and emails the link. For
/// anyone else it does nothing: the person asking already got the same answer either way.
/// A retry issues a new token (the old one simply expires unused); after a few attempts the link
/// would be stale anyway, so retries are few.
/// </summary>
public sealed class SendSignInLink(
    DonationsDbContext db, IEmailSender email, SignInRequests requests, TimeProvider clock,
    IOptions<DonationsOptions> donations, IOptions<OrganizationOptions> org, IOptions<EmailOptions> emailOptions,
    ILogger<SendSignInLink> log)
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
        await email.SendAsync(Compose(donor.Email, donor.Name, link), ct);
        log.LogInformation("Sign-in link sent to donor {DonorId}", donor.Id);
    }

    private MimeMessage Compose(string to, string? name, string link)
    {
        var organization = org.Value.Name;
        var minutes = (int)SignInTokens.Lifetime.TotalMinutes;
        var greeting = string.IsNullOrWhiteSpace(name) ? "Hello," : $"Hello {name},";
        var message = new MimeMessage
        {
            Subject = $"Your sign-in link for {organization}",
            Body = new BodyBuilder
            {
                TextBody = $"""
                    {greeting}

                    Follow this link to see your gifts, receipts and statements, and to manage a monthly gift:

                    {link}

                    The link works once and expires in {minutes} minutes. If you did not ask for it, you can ignore this email.

                    {organization}
                    """,
                HtmlBody = $"""
                    <p>{H(greeting)}</p>
                    <p>Follow this link to see your gifts, receipts and statements, and to manage a monthly gift:</p>
                    <p><a href="{H(link)}">Sign in to manage your giving</a></p>
                    <p>The link works once and expires in {minutes} minutes. If you did not ask for it, you can ignore this email.</p>
                    <p>{H(organization)}</p>
                    """,
            }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(emailOptions.Value.From));
        message.To.Add(new MailboxAddress(name ?? "", to));
        return message;
    }

    private static string H(string text) => System.Net.WebUtility.HtmlEncode(text);
}
