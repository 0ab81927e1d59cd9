using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>GET /manage/{token}</c>: spends the link and starts a one-hour donor session, then sends
/// the browser to <c>/manage/account</c>. The token is marked used by one conditional update, so
/// of two simultaneous clicks exactly one signs in.
///
/// Why a plain GET spends the link (and not a "Continue" button that posts): the link must work
/// in one click from any mail client, and the contract is that the link itself opens the account.
/// Link-preview fetchers (chat apps, social sites) announce themselves and are answered with a
/// page that spends nothing; HEAD is not served at all. A mail scanner that fetches links
/// pretending to be a browser can still spend one: the donor then sees "already used" with the
/// form to get a new link, one click away. The used token can never be replayed.
/// </summary>
public static class RedeemSignInLink
{
    // Substrings of User-Agent headers of well-known link unfurlers.
    private static readonly string[] PreviewAgents =
    [
        "Slackbot", "facebookexternalhit", "Facebot", "Twitterbot", "WhatsApp", "TelegramBot", "Discordbot",
        "LinkedInBot", "SkypeUriPreview", "redditbot", "Embedly", "Iframely", "Pinterestbot", "vkShare",
    ];

    public static async Task<IResult> Handle(
        string token, HttpContext http, DonationsDbContext db, TimeProvider clock,
        PortalRateLimits limits, IOptions<OrganizationOptions> org, ILoggerFactory logs)
    {
        var organization = org.Value.Name;
        var agent = http.Request.Headers.UserAgent.ToString();
        if (PreviewAgents.Any(a => agent.Contains(a, StringComparison.OrdinalIgnoreCase)))
            return PortalPage.Render(http, organization, "Sign in", "<p>Open this link in your browser to sign in.</p>");

        if (!await limits.AllowRedemptionFromAsync(http))
            return PortalPage.Render(http, organization, "Please wait a little",
                "<p class=\"notice error\" role=\"alert\">Too many sign-in attempts from here. Please wait a few minutes.</p>",
                StatusCodes.Status429TooManyRequests);

        if (!SignInTokens.LooksValid(token))
            return Refused(http, organization, StatusCodes.Status404NotFound);

        var hash = SignInTokens.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var spent = await db.DonorSignInTokens
            .Where(t => t.TokenHash == hash && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), http.RequestAborted);
        var row = await db.DonorSignInTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, t.DonorId })
            .SingleOrDefaultAsync(http.RequestAborted);
        if (row is null)
            return Refused(http, organization, StatusCodes.Status404NotFound);
        if (spent == 0)
        {
            logs.CreateLogger(typeof(RedeemSignInLink)).LogInformation("Refused a used or expired sign-in link {TokenId}", row.Id);
            return Refused(http, organization, StatusCodes.Status410Gone);
        }

        await DonorAuthentication.SignInAsync(http, row.DonorId);
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers.CacheControl = "no-store";
        return Results.Redirect("/manage/account");
    }

    private static IResult Refused(HttpContext http, string organization, int status) =>
        PortalPage.Render(http, organization, "This link no longer works", $"""
            <p class="notice error" role="alert">This sign-in link has expired or has already been used.
            Each link works once, for {(int)SignInTokens.Lifetime.TotalMinutes} minutes.</p>
            <p>Enter your email address to get a new one.</p>
            {PortalPage.EmailForm(http)}
            """, status);
}
