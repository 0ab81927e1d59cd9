using System.Globalization;
using System.Security.Claims;
using Donations.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// The donor's session after following a sign-in link: its own cookie scheme, separate from
/// staff sign-in, short-lived and scoped to <c>/manage</c>.
/// </summary>
public static class DonorAuthentication
{
    public const string Scheme = "Donor";
    public const string Policy = "donor";
    public const string CookieName = ".Donations.Donor";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(1);

    internal static void ConfigureCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = CookieName;
        o.Cookie.Path = "/manage";
        o.Cookie.HttpOnly = true;
        // Lax, not Strict: the donor arrives from a link in their mail client and comes back from
        // Stripe's billing portal; both are cross-site top-level navigations.
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        // A fixed hour from the link, not sliding: the portal is a short visit, not a login.
        o.ExpireTimeSpan = SessionLifetime;
        o.SlidingExpiration = false;
        o.Events = new CookieAuthenticationEvents
        {
            OnValidatePrincipal = EndIfErasedAsync,
            // An expired session sends the donor back to ask for a new link.
            OnRedirectToLogin = ctx =>
            {
                ctx.Response.Redirect($"{ctx.Request.PathBase}/manage");
                return Task.CompletedTask;
            },
            OnRedirectToAccessDenied = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>
    /// A session opened before its donor was erased (or removed) ends then: the cookie alone would
    /// keep the portal open for the rest of its hour. One indexed lookup per portal request.
    /// </summary>
    private static async Task EndIfErasedAsync(CookieValidatePrincipalContext ctx)
    {
        var id = ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var db = ctx.HttpContext.RequestServices.GetRequiredService<DonationsDbContext>();
        if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var donorId)
            && await db.Donors.AnyAsync(d => d.Id == donorId && d.ErasedAt == null, ctx.HttpContext.RequestAborted))
            return;
        ctx.RejectPrincipal();
        await ctx.HttpContext.SignOutAsync(Scheme);
    }

    public static Task SignInAsync(HttpContext http, long donorId) =>
        http.SignInAsync(Scheme,
            new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, donorId.ToString(CultureInfo.InvariantCulture))], Scheme)),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = false });

    public static long DonorId(ClaimsPrincipal user) =>
        long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!, CultureInfo.InvariantCulture);
}
