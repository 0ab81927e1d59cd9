using System.Net;
using Donations.Api.Infrastructure.Web;
using Donations.Data.Entities;
using Donations.Tests.DonorPortal;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Security;

/// <summary>
/// State changes carrying a staff or donor cookie must come from the site's own pages (or a script
/// sending the API header), never from a page elsewhere, sibling subdomains included.
/// </summary>
public sealed class CrossSiteRequestTests
{
    private const string SiblingOrigin = "https://blog.example.org";

    [Fact]
    public async Task A_statement_run_with_the_staff_cookie_and_a_foreign_Origin_is_refused_and_starts_nothing()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var admin = await SignedInAsync(app, StaffRoles.Admin);

        var forged = await SendAsync(admin, "/api/finance/statements/2025?resend=true", ("Origin", SiblingOrigin), (CrossSiteRequests.ApiHeader, "1"));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.StatementRuns.CountAsync()));
        var own = await SendAsync(admin, "/api/finance/statements/2025", ("Origin", "https://localhost"), (CrossSiteRequests.ApiHeader, "1"));
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
    }

    [Theory]
    [InlineData("Origin", SiblingOrigin)]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    public async Task A_receipt_resend_with_the_staff_cookie_from_another_origin_is_refused(string header, string value)
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var forged = await SendAsync(finance, "/api/finance/receipts/2026-000001/resend", (header, value), (CrossSiteRequests.ApiHeader, "1"));
        // Past the check, an unknown receipt is a 404: the refusal comes first.
        var own = await SendAsync(finance, "/api/finance/receipts/2026-000001/resend", (CrossSiteRequests.ApiHeader, "1"));

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, own.StatusCode);
    }

    [Fact]
    public async Task A_staff_post_with_neither_the_API_header_nor_an_antiforgery_token_is_refused()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        // A plain form post, as a browser sends one that strips or omits Origin.
        var response = await finance.PostAsync("/api/finance/receipts/2026-000001/resend", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_donor_portal_post_with_a_valid_token_but_a_foreign_Origin_never_reaches_Stripe()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var donor = await Portal.SeedDonorAsync(app, "origin@example.com", customer: "cus_origin");
        await Portal.SignInAsync(app, app.Client, donor.Id);
        var token = await Portal.FormTokenAsync(app.Client, "/manage/account");

        var request = new HttpRequestMessage(HttpMethod.Post, "/manage/billing-portal") { Content = new FormUrlEncodedContent([token]) };
        request.Headers.Add("Origin", SiblingOrigin);
        var forged = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Empty(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
        Assert.Equal(HttpStatusCode.SeeOther, (await Portal.PostFormAsync(app.Client, "/manage/billing-portal", token)).StatusCode);
    }

    [Fact]
    public async Task The_Stripe_webhook_answers_to_its_signature_alone_whatever_cookie_or_Origin_comes_with_it()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var admin = await SignedInAsync(app, StaffRoles.Admin);
        var json = new OneTimeGift().CheckoutCompleted();

        // A staff browser made to post somewhere else's content: no signature, so nothing is recorded.
        var unsigned = new HttpRequestMessage(HttpMethod.Post, "/stripe/webhook") { Content = new StringContent(json) };
        unsigned.Headers.Add("Origin", SiblingOrigin);
        var refused = await admin.SendAsync(unsigned);
        // The session machinery has nothing to say about a signed delivery, cookie or not.
        var signed = StripeSignature.SignedWebhook(json);
        signed.Headers.Add("Origin", SiblingOrigin);
        var accepted = await admin.SendAsync(signed);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Invalid signature", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.StripeEvents.CountAsync()));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return client.SendAsync(request);
    }
}
