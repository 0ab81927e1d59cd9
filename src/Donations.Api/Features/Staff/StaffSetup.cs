using System.Threading.RateLimiting;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Security;
using Donations.Api.Infrastructure.Web;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Staff;

/// <summary>Staff sign-in, the staff home page, the jobs dashboard and the finance exports.</summary>
public static class StaffSetup
{
    public const string SignInRateLimit = "staff-sign-in";
    /// <summary>Sign-in attempts per client address per minute; account lockout covers slower guessing.</summary>
    public const int SignInAttemptsPerMinute = 20;

    public static WebApplicationBuilder AddStaff(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // Keys in the database, encrypted with a certificate kept outside it: every instance reads
        // the same ring, so a cookie issued by one is accepted by all, and restarts do not sign staff out.
        builder.AddProtectedKeyRing();

        services.AddAuthentication(StaffAuthentication.Scheme).AddCookie(StaffAuthentication.Scheme, StaffAuthentication.ConfigureCookie);
        services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicies.Finance, p => p.AddAuthenticationSchemes(StaffAuthentication.Scheme)
                .RequireAuthenticatedUser().RequireRole(StaffRoles.Finance, StaffRoles.Admin))
            .AddPolicy(StaffPolicies.Admin, p => p.AddAuthenticationSchemes(StaffAuthentication.Scheme)
                .RequireAuthenticatedUser().RequireRole(StaffRoles.Admin));
        services.Configure<CrossSiteRequestOptions>(o => o.SessionCookies.Add(StaffAuthentication.CookieName));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = ".Donations.Antiforgery";
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        });

        services.AddRateLimiter(o =>
        {
            o.AddPolicy(SignInRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                Infrastructure.Web.ClientKey.Of(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = SignInAttemptsPerMinute, Window = TimeSpan.FromMinutes(1) }));
        });

        services.AddSingleton<IPasswordHasher<StaffUser>, PasswordHasher<StaffUser>>();
        services.AddSingleton<StaffPasswords>();
        services.AddSingleton<ICliCommand>(_ => StaffCommand.ForConsole());
        return builder;
    }

    public static WebApplication MapStaff(this WebApplication app)
    {
        // Authentication, authorization and antiforgery run in UseDonationsWeb.
        var dashboardPath = app.Configuration.StartupOption(HangfireOptions.Section, (HangfireOptions o) => o.DashboardPath) is { Length: > 1 } p
            ? p.TrimEnd('/') : "/hangfire";
        // Not the validated options: the command line builds this pipeline too and must work
        // before the organisation is configured; the name only titles the jobs dashboard.
        var organization = app.Configuration[$"{OrganizationOptions.Section}:{nameof(OrganizationOptions.Name)}"] ?? "Donations";

        app.MapGet(StaffAuthentication.LoginPath, SignIn.ShowForm);
        app.MapPost(StaffAuthentication.LoginPath, SignIn.SubmitAsync).RequireRateLimiting(SignInRateLimit);
        app.MapPost(SignIn.LogoutPath, SignIn.SignOutAsync).WithMetadata(new ValidatesAntiforgeryItself());
        app.MapGet(StaffAuthentication.HomePath, (HttpContext http, DonationsDbContext db, JobStorage jobs, TimeProvider time,
                IOptions<OrganizationOptions> org) => StaffHome.ShowAsync(http, db, jobs, time, org.Value, dashboardPath))
            .RequireAuthorization(StaffPolicies.Finance);
        StripeEventsPage.Map(app);
        JobsDashboard.Map(app, dashboardPath, organization);

        var finance = app.MapGroup("/api/finance").RequireAuthorization(StaffPolicies.Finance);
        finance.MapGet("/donations.csv", DonationsExport.Export);
        finance.MapGet("/members.csv", MembersExport.Export);
        return app;
    }
}
