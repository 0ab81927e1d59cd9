using System.Net;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Staff;

public sealed class SignInTests
{
    [Fact]
    public async Task A_browser_asked_to_sign_in_comes_back_to_the_dashboard_with_a_protected_cookie()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await CreateStaffAsync(app, "Finance@Example.org", StaffRoles.Finance);
        var browser = app.CreateClient();

        var refused = await browser.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/staff/login?returnUrl=%2Fhangfire", refused.Headers.Location!.OriginalString);

        var signedIn = await SignInAsync(browser, "finance@example.org", Password, returnUrl: "/hangfire");
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        Assert.Equal("/hangfire", signedIn.Headers.Location!.OriginalString);
        var cookie = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".Donations.Staff=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        var dashboard = await browser.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("Example Journal — jobs", html);
        Assert.Contains("href=\"/staff\"", html);
        Assert.NotNull(await app.WithDbAsync(db => db.StaffUsers.Where(u => u.Email == "finance@example.org").Select(u => u.LastSignInAt).SingleAsync()));
    }

    [Fact]
    public async Task A_sign_in_post_without_the_antiforgery_token_is_refused()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await CreateStaffAsync(app, "admin@example.org", StaffRoles.Admin);

        var answer = await app.Client.PostAsync("/staff/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "admin@example.org",
            ["password"] = Password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.False(answer.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".Donations.Staff=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_generic_answer()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await CreateStaffAsync(app, "admin@example.org", StaffRoles.Admin);

        var wrongPassword = await SignInAsync(app.CreateClient(), "admin@example.org", "not the password at all");
        var unknown = await SignInAsync(app.CreateClient(), "nobody@example.org", Password);

        foreach (var answer in new[] { wrongPassword, unknown })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Contains("Email or password is incorrect", await answer.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_for_fifteen_minutes_even_against_the_right_one()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await CreateStaffAsync(app, "admin@example.org", StaffRoles.Admin);
        var browser = app.CreateClient();

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(browser, "admin@example.org", $"guess number {i}!")).StatusCode);
        var rightButLocked = await SignInAsync(browser, "admin@example.org", Password);

        Assert.Equal(HttpStatusCode.Unauthorized, rightButLocked.StatusCode);
        Assert.Contains("Email or password is incorrect", await rightButLocked.Content.ReadAsStringAsync());
        var lockedUntil = await app.WithDbAsync(db => db.StaffUsers.Select(u => u.LockedUntil).SingleAsync());
        Assert.InRange(lockedUntil!.Value, DateTime.UtcNow.AddMinutes(14), DateTime.UtcNow.AddMinutes(15.1));

        // Fifteen minutes later (moved back in the database rather than waited for) the right password works again.
        await app.WithDbAsync(db => db.StaffUsers.ExecuteUpdateAsync(s => s.SetProperty(u => u.LockedUntil, DateTime.UtcNow.AddSeconds(-1))));
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(browser, "admin@example.org", Password)).StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.StaffUsers.Select(u => u.FailedSignIns).SingleAsync()));
    }

    [Fact]
    public async Task Sign_in_attempts_beyond_the_limit_from_one_address_are_answered_429()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Api.Features.Staff.StaffSetup.SignInAttemptsPerMinute + 2; i++)
            statuses.Add((await SignInAsync(app.CreateClient(), $"someone{i}@example.org", "whatever password")).StatusCode);

        Assert.All(statuses.Take(Api.Features.Staff.StaffSetup.SignInAttemptsPerMinute), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_not_followed()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await CreateStaffAsync(app, "admin@example.org", StaffRoles.Admin);

        foreach (var evil in new[] { "https://evil.example/", "//evil.example/", "/\\evil.example/" })
        {
            var answer = await SignInAsync(app.CreateClient(), "admin@example.org", Password, returnUrl: evil);
            Assert.Equal("/staff", answer.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task Disabling_an_account_ends_its_open_session_and_sign_out_ends_a_session()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await CreateStaffAsync(app, "finance@example.org", StaffRoles.Finance);
        var browser = app.CreateClient();
        await SignInAsync(browser, "finance@example.org", Password);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/staff")).StatusCode);

        var (exit, output, _) = await RunStaffCommandAsync(app, "", "disable", "finance@example.org");
        Assert.Equal(0, exit);
        Assert.Contains("Disabled finance@example.org", output);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/staff")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(browser, "finance@example.org", Password)).StatusCode);

        Assert.Equal(0, (await RunStaffCommandAsync(app, "", "enable", "finance@example.org")).Exit);
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(browser, "finance@example.org", Password)).StatusCode);
        var home = await (await browser.GetAsync("/staff")).Content.ReadAsStringAsync();
        var signOut = await browser.PostAsync("/staff/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = FormToken(home),
        }));
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/staff")).StatusCode);
    }
}
