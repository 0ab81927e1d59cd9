using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Api.Infrastructure.Security;
using Donations.Api.Infrastructure.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Donations.Api.Features.Staff.StaffPage;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Staff;

/// <summary>
/// Cookie sign-in for staff. Every refusal reads the same ("Email or password is incorrect") whether
/// the account is unknown, disabled, locked or the password wrong, so the page cannot be used to
/// find staff emails. Five wrong passwords lock the account for 15 minutes; the endpoint is also
/// rate limited per client address.
/// </summary>
internal static class SignIn
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    public const string GenericError = "Email or password is incorrect.";
    public const string LogoutPath = "/staff/logout";

    public sealed class SignInForm
    {
        public string? Email { get; set; }
        public string? Password { get; set; }
        public string? ReturnUrl { get; set; }
    }

    public static IResult ShowForm(HttpContext http, string? returnUrl, IOptions<OrganizationOptions> org) =>
        Form(http, org.Value.Name, email: "", LocalOrHome(returnUrl), error: null);

    public static async Task<IResult> SubmitAsync(
        HttpContext http, [FromForm] SignInForm form, DonationsDbContext db, StaffPasswords passwords,
        TimeProvider time, IOptions<OrganizationOptions> org, SessionStampKey stamps, ILoggerFactory logs)
    {
        var log = logs.CreateLogger(typeof(SignIn));
        var email = Data.Entities.Donor.NormalizeEmail(form.Email ?? "");
        var password = form.Password ?? "";
        var returnUrl = LocalOrHome(form.ReturnUrl);
        var now = time.GetUtcNow().UtcDateTime;
        IResult Refuse() => Form(http, org.Value.Name, email, returnUrl, GenericError, StatusCodes.Status401Unauthorized);

        var user = email.Length == 0 ? null : await db.StaffUsers.SingleOrDefaultAsync(u => u.Email == email, http.RequestAborted);
        if (user is null)
        {
            passwords.VerifyAgainstNobody(password);
            log.LogInformation("Staff sign-in refused: no such account");
            return Refuse();
        }

        var verdict = passwords.Verify(user, password);
        if (user.Disabled || user.LockedUntil > now)
        {
            log.LogInformation("Staff sign-in refused for staff {StaffId}: account {State}", user.Id, user.Disabled ? "disabled" : "locked");
            return Refuse();
        }
        if (verdict == PasswordVerificationResult.Failed)
        {
            await RecordFailureAsync(db, user.Id, now, log, http.RequestAborted);
            return Refuse();
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded) user.PasswordHash = passwords.Hash(user, password);
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        user.LastSignInAt = now;
        await db.SaveChangesAsync(http.RequestAborted);
        await http.SignInAsync(StaffAuthentication.Scheme, StaffAuthentication.CreatePrincipal(user, stamps));
        log.LogInformation("Staff {StaffId} signed in as {Role}", user.Id, user.Role);
        return SeeOther(returnUrl);
    }

    /// <summary>Counted in the database (not read-modify-write), so parallel guesses all count.</summary>
    private static async Task RecordFailureAsync(DonationsDbContext db, long userId, DateTime now, ILogger log, CancellationToken ct)
    {
        await db.StaffUsers.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedSignIns, u => u.FailedSignIns + 1), ct);
        var locked = await db.StaffUsers.Where(u => u.Id == userId && u.FailedSignIns >= MaxFailures)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockedUntil, now + LockoutDuration).SetProperty(u => u.FailedSignIns, 0), ct);
        if (locked > 0)
            log.LogWarning("Staff {StaffId} locked out for {Minutes} minutes after {Failures} wrong passwords",
                userId, LockoutDuration.TotalMinutes, MaxFailures);
        else
            log.LogInformation("Staff sign-in refused for staff {StaffId}: wrong password", userId);
    }

    public static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Form expired",
                detail: "The sign-out form has expired. Reload the staff page and sign out again.");
        await http.SignOutAsync(StaffAuthentication.Scheme);
        return SeeOther(StaffAuthentication.LoginPath);
    }

    private static IResult Form(HttpContext http, string organization, string email, string returnUrl,
        string? error, int status = StatusCodes.Status200OK)
    {
        var message = error is null ? "" : $"""<p class="error" role="alert">{E(error)}</p>""";
        return Render(http, organization, "Staff sign-in", $"""
            <h1>{E(organization)} — staff sign-in</h1>
            {message}
            <form method="post" action="{StaffAuthentication.LoginPath}">
              {AntiforgeryField(http)}
              <input type="hidden" name="returnUrl" value="{E(returnUrl)}">
              <label for="email">Email</label>
              <input id="email" name="email" type="email" autocomplete="username" required value="{E(email)}">
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required>
              <p><button type="submit">Sign in</button></p>
            </form>
            """, status);
    }

    /// <summary>Only paths on this site are followed after sign-in, never another host.</summary>
    internal static string LocalOrHome(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal)
            && !url.StartsWith("/\\", StringComparison.Ordinal) && !url.Any(char.IsControl)
            ? url
            : StaffAuthentication.HomePath;

    /// <summary>303: after a form post the browser fetches the next page with GET.</summary>
    internal static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
