using System.Net;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.DonorPortal;

public sealed class AccountTests
{
    [Fact]
    public async Task Account_lists_the_donors_gifts_receipts_statements_and_monthly_gift_and_nobody_elses()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        var donor = await Portal.SeedDonorAsync(app, "grace@example.com", "Grace Hopper", "cus_grace");
        var other = await Portal.SeedDonorAsync(app, "other@example.com");
        await app.WithDbAsync(async db =>
        {
            var membership = new Membership
            {
                DonorId = donor.Id, StripeSubscriptionId = "sub_grace", StripeCustomerId = "cus_grace", Status = "active",
                MonthlyAmount = 2500, Currency = "usd", Tier = "Supporter", CancelAtPeriodEnd = true,
                CurrentPeriodEnd = new DateTime(2026, 4, 1, 2, 0, 0, DateTimeKind.Utc),
                StartedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            };
            db.Memberships.Add(membership);
            // 03:00 UTC on 1 March is still 28 February in New York, the organisation's time zone.
            var oneTime = Gift(donor.Id, "pi:pi_1", 5000, new DateTime(2026, 3, 1, 3, 0, 0, DateTimeKind.Utc), DonationFrequency.OneTime);
            var monthly = Gift(donor.Id, "in:in_1", 2500, new DateTime(2026, 3, 2, 15, 0, 0, DateTimeKind.Utc), DonationFrequency.Monthly);
            monthly.Membership = membership;
            var othersGift = Gift(other.Id, "pi:pi_other", 77700, DateTime.UtcNow, DonationFrequency.OneTime);
            db.Donations.AddRange(oneTime, monthly, othersGift);
            db.Receipts.Add(new Receipt
            {
                Number = "2026-000043", Year = 2026, Sequence = 43, Donation = othersGift, Kind = ReceiptKind.Original,
                Status = ReceiptStatus.Sent, Amount = 77700, Currency = "usd", DeductibleAmount = 77700,
                IssuedAt = othersGift.ReceivedAt, MessageId = "r43@example.org",
            });
            db.Receipts.Add(new Receipt
            {
                Number = "2026-000042", Year = 2026, Sequence = 42, Donation = oneTime, Kind = ReceiptKind.Original,
                Status = ReceiptStatus.Sent, Amount = 5000, Currency = "usd", DeductibleAmount = 5000,
                IssuedAt = oneTime.ReceivedAt, MessageId = "r42@example.org",
            });
            db.Statements.Add(new Statement { DonorId = donor.Id, Year = 2025, Status = StatementStatus.Sent, MessageId = "s@example.org", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        });
        await Portal.SignInAsync(app, app.Client, donor.Id);

        var response = await app.Client.GetAsync("/manage/account");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("February 28, 2026", page);
        Assert.Contains("$50.00", page);
        Assert.Contains("2026-000042", page);
        Assert.Contains("One-time", page);
        Assert.Contains("Monthly", page);
        Assert.Contains("Supporter", page);
        Assert.Contains("$25.00", page);
        Assert.Contains("Active, ends at the end of the period", page);
        Assert.Contains("Ends March 31, 2026", page);
        Assert.Contains("2025: emailed to you", page);
        Assert.Contains("""action="/manage/billing-portal">""", page);
        Assert.DoesNotContain("777.00", page);
        Assert.DoesNotContain("other@example.com", page);

        Assert.Contains("""href="/manage/receipts/2026-000042.pdf">""", page);
        var pdf = await app.Client.GetAsync("/manage/receipts/2026-000042.pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("%PDF", System.Text.Encoding.ASCII.GetString(await pdf.Content.ReadAsByteArrayAsync())[..4]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/manage/receipts/2026-000043.pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await app.CreateClient().GetAsync("/manage/receipts/2026-000042.pdf")).StatusCode);
    }

    [Fact]
    public async Task Account_without_a_session_sends_the_browser_to_ask_for_a_link()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);

        var response = await app.Client.GetAsync("/manage/account");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/manage", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Billing_portal_button_opens_a_Stripe_session_for_the_donors_customer_and_redirects_there()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        var donor = await Portal.SeedDonorAsync(app, "member@example.com", customer: "cus_member");
        await Portal.SignInAsync(app, app.Client, donor.Id);
        var token = await Portal.FormTokenAsync(app.Client, "/manage/account");

        var response = await Portal.PostFormAsync(app.Client, "/manage/billing-portal", token);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var request = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
        Assert.Equal("cus_member", request["customer"]);
        Assert.Equal($"{Portal.BaseUrl}/manage/account", request["return_url"]);
        Assert.StartsWith($"{app.Stripe.BaseUrl}/portal/bps_", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Billing_portal_uses_the_membership_customer_when_the_donor_has_none_recorded()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var donor = await Portal.SeedDonorAsync(app, "sub@example.com");
        await app.WithDbAsync(async db =>
        {
            db.Memberships.Add(new Membership
            {
                DonorId = donor.Id, StripeSubscriptionId = "sub_1", StripeCustomerId = "cus_from_sub", Status = "past_due",
                MonthlyAmount = 1500, Currency = "usd", StartedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        });
        await Portal.SignInAsync(app, app.Client, donor.Id);

        var response = await Portal.PostFormAsync(app.Client, "/manage/billing-portal", await Portal.FormTokenAsync(app.Client, "/manage/account"));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("cus_from_sub", Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"))["customer"]);
    }

    [Fact]
    public async Task A_paused_gift_shows_when_it_resumes_instead_of_a_next_payment_that_will_not_be_taken()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var donor = await Portal.SeedDonorAsync(app, "paused@example.com", "Pat Paused", "cus_paused");
        await app.WithDbAsync(async db =>
        {
            db.Memberships.Add(new Membership
            {
                DonorId = donor.Id, StripeSubscriptionId = "sub_paused", StripeCustomerId = "cus_paused", Status = "active",
                MonthlyAmount = 2000, Currency = "usd", Paused = true,
                CurrentPeriodEnd = new DateTime(2026, 4, 10, 15, 0, 0, DateTimeKind.Utc),
                PausedUntil = new DateTime(2026, 6, 10, 15, 0, 0, DateTimeKind.Utc),
                StartedAt = new DateTime(2026, 1, 10, 15, 0, 0, DateTimeKind.Utc),
            });
            await db.SaveChangesAsync();
        });
        await Portal.SignInAsync(app, app.Client, donor.Id);

        var page = await app.Client.GetStringAsync("/manage/account");

        Assert.Contains("<td>Paused until June 10, 2026</td>", page);
        Assert.DoesNotContain("Next payment April 10, 2026", page);
    }

    [Fact]
    public async Task Stripe_refusing_the_portal_session_shows_a_page_saying_nothing_changed()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        app.Stripe.On("POST", "/v1/billing_portal/sessions", _ => StripeReply.Error(400, "invalid_request_error",
            "You can't create a portal session in test mode until you save your customer portal settings."));
        var donor = await Portal.SeedDonorAsync(app, "unlucky@example.com", customer: "cus_unlucky");
        await Portal.SignInAsync(app, app.Client, donor.Id);

        var response = await Portal.PostFormAsync(app.Client, "/manage/billing-portal", await Portal.FormTokenAsync(app.Client, "/manage/account"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("Nothing has changed", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Billing_portal_post_without_its_antiforgery_token_never_reaches_Stripe()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var donor = await Portal.SeedDonorAsync(app, "csrf@example.com", customer: "cus_csrf");
        await Portal.SignInAsync(app, app.Client, donor.Id);

        var response = await app.Client.PostAsync("/manage/billing-portal", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
    }

    private static Donation Gift(long donorId, string key, long amount, DateTime at, DonationFrequency frequency) => new()
    {
        DonorId = donorId, SettlementKey = key, Amount = amount, Currency = "usd", Frequency = frequency,
        Status = DonationStatus.Succeeded, ReceivedAt = at, CreatedAt = at,
    };
}
