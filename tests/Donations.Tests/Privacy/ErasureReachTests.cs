using System.Net;
using System.Text.Json.Nodes;
using Donations.Api.Features.Memberships;
using Donations.Api.Features.Privacy;
using Donations.Api.Infrastructure;
using Donations.Tests.DonorPortal;
using Donations.Tests.Infrastructure;
using Donations.Tests.Staff;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Privacy;

/// <summary>What an erasure ends beyond the donor's record, and what it refuses to do.</summary>
public sealed class ErasureReachTests
{
    [Fact]
    public async Task A_portal_session_and_links_issued_before_the_erasure_are_refused_after_it()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var donor = await Portal.SeedDonorAsync(app, "leaving@example.org", "Lea Ving", "cus_lea");
        await Portal.SignInAsync(app, app.Client, donor.Id);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/manage/account")).StatusCode);
        var signInLink = await Portal.SeedLinkAsync(app, donor.Id);
        string cardLink;
        await using (var scope = app.Services.CreateAsyncScope())
            cardLink = new Uri(await scope.ServiceProvider.GetRequiredService<IPaymentMethodLinks>().IssueAsync(donor.Id, "cus_lea", CancellationToken.None)).AbsolutePath;
        Assert.Equal(HttpStatusCode.SeeOther, (await app.CreateClient().GetAsync(cardLink)).StatusCode);

        Assert.Equal(0, await EraseAsync(app, "leaving@example.org"));

        var account = await app.Client.GetAsync("/manage/account");
        Assert.Equal(HttpStatusCode.Redirect, account.StatusCode);
        Assert.Equal("/manage", account.Headers.Location?.OriginalString);
        Assert.NotEqual(HttpStatusCode.OK, (await app.Client.GetAsync("/manage/account/data.zip")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync(signInLink)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync(cardLink)).StatusCode);
        Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
    }

    [Fact]
    public async Task Erasure_deletes_the_messages_to_the_donor_from_the_pickup_folder_and_only_those()
    {
        await using var app = await DonationsApp.StartAsync();
        await app.DeliverAndProcessAsync(new OneTimeGift(Email: "Ada@Example.org", Name: "Ada Lovelace").CheckoutCompleted(),
            new OneTimeGift(Email: "grace@example.org", Name: "Grace Hopper").CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        Assert.Contains(app.OutboxMessages(), m => To(m, "ada@example.org"));

        Assert.Equal(0, await EraseAsync(app, "ada@example.org"));

        var left = app.OutboxMessages();
        Assert.DoesNotContain(left, m => To(m, "ada@example.org"));
        Assert.Contains(left, m => To(m, "grace@example.org"));
        Assert.DoesNotContain(left.Select(m => m.ToString()), text => text.Contains("Ada Lovelace", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Erasure_while_Stripe_cannot_be_reached_changes_nothing_and_works_when_asked_again()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var donor = await Portal.SeedDonorAsync(app, "ada@example.org", "Ada Lovelace", "cus_ada");
        await Portal.SeedLinkAsync(app, donor.Id);
        var stripeDown = true;
        app.Stripe.On("POST", "/v1/customers/*", _ => stripeDown
            ? StripeReply.Error(503, "api_error", "Stripe is temporarily unavailable.")
            : StripeReply.Ok(new JsonObject { ["id"] = "cus_ada", ["object"] = "customer", ["livemode"] = false, ["created"] = 1_700_000_000L }));

        Assert.Equal(1, await EraseAsync(app, "ada@example.org"));

        var unchanged = await app.WithDbAsync(db => db.Donors.SingleAsync());
        Assert.Equal(("ada@example.org", "Ada Lovelace", (DateTime?)null), (unchanged.Email, unchanged.Name, unchanged.ErasedAt));
        Assert.True(await app.WithDbAsync(db => db.DonorSignInTokens.AnyAsync()));

        stripeDown = false;
        Assert.Equal(0, await EraseAsync(app, "ada@example.org"));

        Assert.NotNull(await app.WithDbAsync(db => db.Donors.Select(d => d.ErasedAt).SingleAsync()));
        // Stripe replays an idempotency key's first answer, errors included: the new attempt has its own key.
        var keys = app.Stripe.RequestsTo("POST", "/v1/customers/cus_ada").Select(r => r.IdempotencyKey).Distinct().ToList();
        Assert.Equal(2, keys.Count);
    }

    [Fact]
    public async Task Staff_erasing_without_the_forms_antiforgery_token_is_refused_and_erases_nobody()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await Portal.SeedDonorAsync(app, "ada@example.org", "Ada Lovelace", "cus_ada");
        var admin = await StaffTestSupport.SignedInAsync(app, "Admin");

        var form = new Dictionary<string, string> { ["email"] = "ada@example.org", ["confirm"] = "yes" };

        // A browser's post (refused before the page runs) and a script's, which names itself but has no token either.
        var fromBrowser = await admin.PostAsync(EraseDonorPage.Path, new FormUrlEncodedContent(form));
        var fromScript = new HttpRequestMessage(HttpMethod.Post, EraseDonorPage.Path) { Content = new FormUrlEncodedContent(form) };
        fromScript.Headers.Add("X-Donations-Client", "script");
        var scripted = await admin.SendAsync(fromScript);

        Assert.Equal(HttpStatusCode.Forbidden, fromBrowser.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, scripted.StatusCode);
        Assert.Contains("Form expired", await scripted.Content.ReadAsStringAsync());
        Assert.Null(await app.WithDbAsync(db => db.Donors.Select(d => d.ErasedAt).SingleAsync()));
        Assert.DoesNotContain(app.Stripe.Requests, r => r.Path.StartsWith("/v1/customers/", StringComparison.Ordinal));
    }

    private static Task<int> EraseAsync(DonationsApp app, string email) =>
        app.Services.GetServices<ICliCommand>().Single(c => c.Name == "donors").RunAsync(app.Services, ["erase", email], CancellationToken.None);

    private static bool To(MimeKit.MimeMessage message, string address) =>
        message.To.Mailboxes.Any(m => m.Address.Equals(address, StringComparison.OrdinalIgnoreCase));
}
