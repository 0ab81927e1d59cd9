using System.Security.Claims;
using Donations.Api.Infrastructure.Security;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Staff;

/// <summary>The staff sign-in cookie: who may have one, what it carries, and how refusals look.</summary>
public static class StaffAuthentication
{
    public const string Scheme = "Staff";
    public const string LoginPath = "/staff/login";
    public const string HomePath = "/staff";
    public const string CookieName = ".Donations.Staff";
    private const string StampClaim = "donations:stamp";

    internal static void ConfigureCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = CookieName;
        o.Cookie.HttpOnly = true;
        // Strict: no cross-site request ever carries the cookie, which also shields the Hangfire
        // dashboard's own POST commands. The cost is a sign-in page when a staff member follows
        // a link from elsewhere while already signed in.
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.ExpireTimeSpan = TimeSpan.FromHours(8);
        o.SlidingExpiration = true;
        o.LoginPath = LoginPath;
        o.ReturnUrlParameter = "returnUrl";
        o.Events = new CookieAuthenticationEvents
        {
            OnRedirectToLogin = RefuseAnonymousAsync,
            OnRedirectToAccessDenied = ctx => WriteProblemAsync(ctx.HttpContext, StatusCodes.Status403Forbidden,
                "Forbidden", "Your staff role does not allow this. Ask an administrator if you need it."),
            OnValidatePrincipal = ValidateAsync,
        };
    }

    /// <summary>Browsers asking for a page are sent to sign in; API calls and scripts get a plain 401.</summary>
    private static Task RefuseAnonymousAsync(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        var request = ctx.Request;
        var wantsPage = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && !request.Path.StartsWithSegments("/api");
        if (!wantsPage)
            return WriteProblemAsync(ctx.HttpContext, StatusCodes.Status401Unauthorized,
                "Sign-in required", $"Sign in as staff at {LoginPath} first.");
        var returnUrl = request.PathBase + request.Path + request.QueryString;
        ctx.Response.Redirect($"{request.PathBase}{LoginPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        return Task.CompletedTask;
    }

    private static async Task WriteProblemAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    public static ClaimsPrincipal CreatePrincipal(StaffUser user, SessionStampKey stamps) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, user.Email),
        new Claim(ClaimTypes.Role, user.Role),
        new Claim(StampClaim, Stamp(user, stamps)),
    ], Scheme));

    /// <summary>
    /// A cookie stays valid only while its account is enabled and keeps the role and password it
    /// was issued with, so <c>staff disable</c> and a password change end existing sessions.
    /// Staff traffic is light, so every request checks.
    /// </summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext ctx)
    {
        var id = ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = ctx.Principal?.FindFirstValue(StampClaim);
        var db = ctx.HttpContext.RequestServices.GetRequiredService<DonationsDbContext>();
        var stamps = ctx.HttpContext.RequestServices.GetRequiredService<SessionStampKey>();
        var user = long.TryParse(id, out var userId)
            ? await db.StaffUsers.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ctx.HttpContext.RequestAborted)
            : null;
        if (user is null || user.Disabled || user.Role != ctx.Principal!.FindFirstValue(ClaimTypes.Role) || Stamp(user, stamps) != stamp)
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(Scheme);
        }
    }

    /// <summary>
    /// Derived from the password hash, so it changes with the password without a schema column;
    /// keyed with a secret that is not in the database, so a copy of it cannot produce a valid one.
    /// </summary>
    internal static string Stamp(StaffUser user, SessionStampKey stamps) => stamps.Of(user.PasswordHash);
}
