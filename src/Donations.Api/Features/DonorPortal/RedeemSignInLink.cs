using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>GET /manage/{token}</c> only shows a page with a "Sign in" button; the button's
/// <c>POST /manage/{token}</c> (with its antiforgery token) spends the link and starts a one-hour
/// donor session. Mail scanners (Safe Links, Proofpoint and the like) fetch every link in a
/// message, often pretending to be a browser; a GET that spent the link would hand them the
/// session and leave the donor with "already used". Fetching the page spends nothing, however
/// often. The post also needs the antiforgery cookie the page set, so another site cannot sign
/// a visitor into a session of its choosing (login CSRF). The token is marked used by one
/// conditional update, so of two simultaneous posts exactly one signs in.
/// </summary>
public static class RedeemSignInLink
{
    public static async Task<IResult> Show(
        string token, HttpContext http, DonationsDbContext db, TimeProvider clock,
        PortalRateLimits limits, IOptions<OrganizationOptions> org)
    {
        var organization = org.Value.Name;
        if (!await limits.AllowRedemptionFromAsync(http)) return TooMany(http, organization);
        if (!SignInTokens.LooksValid(token)) return Refused(http, organization, StatusCodes.Status404NotFound);

        var hash = SignInTokens.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var link = await db.DonorSignInTokens.AsNoTracking().Where(t => t.TokenHash == hash && t.Purpose == DonorSignInToken.SignInPurpose)
            .Select(t => new { Usable = t.UsedAt == null && t.ExpiresAt > now })
            .SingleOrDefaultAsync(http.RequestAborted);
        if (link is null) return Refused(http, organization, StatusCodes.Status404NotFound);
        if (!link.Usable) return Refused(http, organization, StatusCodes.Status410Gone);

        return PortalPage.Render(http, organization, "Sign in", $"""
            <p>Sign in to see your gifts, receipts and statements, and to manage a monthly gift.</p>
            <form method="post" action="/manage/{E(token)}">
              {AntiforgeryField(http)}
              <button type="submit">Sign in</button>
            </form>
            <p><small>The link works once, for {(int)SignInTokens.Lifetime.TotalMinutes} minutes from when it was sent.</small></p>
            """);
    }

    public static async Task<IResult> Redeem(
        string token, HttpContext http, DonationsDbContext db, TimeProvider clock,
        PortalRateLimits limits, IOptions<OrganizationOptions> org, ILoggerFactory logs)
    {
        var organization = org.Value.Name;
        if (!await limits.AllowRedemptionFromAsync(http)) return TooMany(http, organization);
        if (!SignInTokens.LooksValid(token)) return Refused(http, organization, StatusCodes.Status404NotFound);

        var hash = SignInTokens.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var spent = await db.DonorSignInTokens
            .Where(t => t.TokenHash == hash && t.Purpose == DonorSignInToken.SignInPurpose && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), http.RequestAborted);
        var row = await db.DonorSignInTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.Purpose == DonorSignInToken.SignInPurpose)
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
        // 303: the browser fetches the account page with GET, and a reload does not post again.
        http.Response.Headers.Location = "/manage/account";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult TooMany(HttpContext http, string organization) =>
        PortalPage.Render(http, organization, "Please wait a little",
            "<p class=\"notice error\" role=\"alert\">Too many sign-in attempts from here. Please wait a few minutes.</p>",
            StatusCodes.Status429TooManyRequests);

    private static IResult Refused(HttpContext http, string organization, int status) =>
        PortalPage.Render(http, organization, "This link no longer works", $"""
            <p class="notice error" role="alert">This sign-in link has expired or has already been used.
            Each link works once, for {(int)SignInTokens.Lifetime.TotalMinutes} minutes.</p>
            <p>Enter your email address to get a new one.</p>
            {PortalPage.EmailForm(http)}
            """, status);
}
