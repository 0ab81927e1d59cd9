using System.Net;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure.Web;
using Donations.Data.Entities;
using Donations.Tests.DonorPortal;
using Donations.Tests.Infrastructure;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Security;

/// <summary>Transport and browser headers in Production, on every kind of response.</summary>
public sealed class SecurityHeadersTests
{
    private static Task<DonationsApp> StartProductionAsync() =>
        DonationsApp.StartAsync(o => { o.HangfireServer = false; o.Environment = "Production"; });

    [Fact]
    public async Task Every_response_in_Production_carries_HSTS_nosniff_and_a_referrer_policy()
    {
        await using var app = await StartProductionAsync();
        var responses = new List<(string What, HttpResponseMessage Response)>
        {
            ("health", await app.Client.GetAsync("/health/live")),
            ("donate page", await app.Client.GetAsync("/donate")),
            ("staff sign-in page", await app.Client.GetAsync(StaffAuthentication.LoginPath)),
            ("redirect to sign-in", await app.Client.GetAsync("/hangfire")),
            ("API refusal", await app.Client.GetAsync("/api/finance/donations.csv")),
            ("not found", await app.Client.GetAsync("/no-such-page")),
            ("donor portal", await app.Client.GetAsync("/manage")),
            // Runs straight from routing, after the headers are set up.
            ("Stripe webhook", await app.PostWebhookAsync(new OneTimeGift().CheckoutCompleted())),
            ("refused webhook", await app.Client.PostAsync("/stripe/webhook", new StringContent("{}"))),
        };

        Assert.All(responses, r =>
        {
            Assert.True(r.Response.Headers.TryGetValues("Strict-Transport-Security", out var hsts), $"{r.What}: no HSTS");
            Assert.Equal(SecurityHeaders.Hsts, Assert.Single(hsts!));
            Assert.True(r.Response.Headers.TryGetValues("X-Content-Type-Options", out var sniff), $"{r.What}: no X-Content-Type-Options");
            Assert.Equal("nosniff", Assert.Single(sniff!));
            Assert.True(r.Response.Headers.Contains("Referrer-Policy"), $"{r.What}: no Referrer-Policy");
        });
    }

    [Fact]
    public async Task Staff_donor_and_antiforgery_cookies_are_Secure_in_Production()
    {
        await using var app = await StartProductionAsync();
        await CreateStaffAsync(app, "finance@example.org", StaffRoles.Finance);
        var staff = app.CreateClient();
        var form = await staff.GetAsync(StaffAuthentication.LoginPath);
        var signedIn = await SignInAsync(staff, "finance@example.org", Password);
        var donor = await Portal.SeedDonorAsync(app, "secure@example.com");
        var donorBrowser = app.CreateClient();
        var link = await Portal.SeedLinkAsync(app, donor.Id);
        var linkPage = await donorBrowser.GetAsync(link);
        var redeemed = await Portal.RedeemAsync(donorBrowser, link);

        var cookies = new[] { form, signedIn, linkPage, redeemed }
            .SelectMany(r => r.Headers.TryGetValues("Set-Cookie", out var v) ? v : []).ToList();
        Assert.Contains(cookies, c => c.StartsWith(".Donations.Staff=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith(".Donations.Donor=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith(".Donations.Antiforgery=", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
    }
}
