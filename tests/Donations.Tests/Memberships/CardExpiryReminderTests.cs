using System.Text.Json.Nodes;
using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Memberships;

public sealed class CardExpiryReminderTests
{
    [Fact]
    public async Task A_card_that_runs_out_before_the_next_payment_gets_one_reminder_with_the_card_link()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.UseSmtp = true; });
        var paymentAt = DateTime.UtcNow.AddDays(5);
        var lastGoodMonth = paymentAt.AddMonths(-1);
        // One card on the subscription, one only on the customer's invoice settings, one good for years.
        var onSubscription = await SeedAsync(app, "ada@example.org", "sub_card_on_sub", "cus_ada", paymentAt);
        StoreCard(app, "pm_ada", "visa", "4242", lastGoodMonth.Year, lastGoodMonth.Month);
        StoreSubscription(app, "sub_card_on_sub", "cus_ada", "pm_ada");
        await SeedAsync(app, "alan@example.org", "sub_card_on_customer", "cus_alan", paymentAt);
        StoreCard(app, "pm_alan", "mastercard", "4444", lastGoodMonth.Year, lastGoodMonth.Month);
        StoreSubscription(app, "sub_card_on_customer", "cus_alan", null);
        app.Stripe.Put(new JsonObject
        {
            ["id"] = "cus_alan", ["object"] = "customer", ["email"] = "alan@example.org", ["livemode"] = false, ["created"] = 1_700_000_000L,
            ["invoice_settings"] = new JsonObject { ["default_payment_method"] = "pm_alan" },
        });
        await SeedAsync(app, "grace@example.org", "sub_card_fine", "cus_grace", paymentAt);
        StoreCard(app, "pm_grace", "visa", "1881", paymentAt.Year + 3, 1);
        StoreSubscription(app, "sub_card_fine", "cus_grace", "pm_grace");

        await RunAsync(app);
        await RunAsync(app);
        await app.WaitForIdleJobsAsync();

        var reminders = app.Smtp!.Messages.Where(m => m.Subject?.Contains("about to expire") == true).ToList();
        Assert.Equal(["ada@example.org", "alan@example.org"], reminders.Select(m => m.To.Mailboxes.Single().Address).Order());
        var ada = reminders.Single(m => m.To.Mailboxes.Single().Address == "ada@example.org");
        Assert.Contains("Visa ending 4242", ada.TextBody);
        Assert.Contains(new DateTime(lastGoodMonth.Year, lastGoodMonth.Month, 1).ToString("MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture), ada.TextBody);
        Assert.Contains("Mastercard ending 4444", reminders.Single(m => m != ada).TextBody);
        // The link opens the card update for Ada's own customer.
        var opened = await app.CreateClient().GetAsync(FailedPaymentTests.CardLinkPath(ada));
        Assert.Equal(System.Net.HttpStatusCode.SeeOther, opened.StatusCode);
        var session = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
        Assert.Equal(("cus_ada", "payment_method_update"), (session["customer"], session["flow_data[type]"]));
        // The daily check asked about each gift's card once however often it ran, and each email job once more
        // (it reads the card itself), with the expansion that brings the card along.
        var lookups = app.Stripe.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/v1/subscriptions/")).ToList();
        Assert.Equal(3 + reminders.Count, lookups.Count);
        Assert.Single(lookups, r => r.Path == "/v1/subscriptions/sub_card_fine");
        Assert.All(lookups, r => Assert.Contains("expand[0]=default_payment_method", Uri.UnescapeDataString(r.Query)));
        var customerLookups = app.Stripe.Requests.Where(r => r.Method == "GET" && r.Path == "/v1/customers/cus_alan").ToList();
        Assert.Equal(2, customerLookups.Count);
        Assert.All(customerLookups, r => Assert.Contains("expand[0]=invoice_settings.default_payment_method", Uri.UnescapeDataString(r.Query)));
        Assert.Equal(2, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.Kind == "card-expiring" && n.SentAt != null)));
    }

    [Fact]
    public async Task The_reminder_job_carries_the_membership_id_only_and_reads_the_card_when_it_sends()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var paymentAt = DateTime.UtcNow.AddDays(5);
        var expiring = paymentAt.AddMonths(-1);
        var ada = await SeedAsync(app, "ada@example.org", "sub_ada_card", "cus_ada", paymentAt);
        StoreCard(app, "pm_ada", "visa", "4242", expiring.Year, expiring.Month);
        StoreSubscription(app, "sub_ada_card", "cus_ada", "pm_ada");

        await RunAsync(app);

        // What the jobs dashboard shows of the queued email: no brand, digits, expiry or card id.
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var (jobId, _) = Assert.Single(monitoring.EnqueuedJobs(JobQueues.Email, 0, 100), j => j.Value.Job?.Type == typeof(SendMembershipEmail));
        var args = monitoring.JobDetails(jobId).Job.Args;
        Assert.Equal(ada, Assert.IsType<long>(args[0]));
        var shown = string.Join(" ", args.Select(a => a?.ToString()));
        foreach (var detail in new[] { "visa", "4242", "pm_ada", expiring.Year.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            Assert.DoesNotContain(detail, shown, StringComparison.OrdinalIgnoreCase);

        // The worker asks Stripe for the card again, and the email names it.
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SendMembershipEmail>().CardExpiringAsync(ada, CancellationToken.None);
        var reminder = await app.Smtp!.WaitForMessageAsync(m => m.Subject?.Contains("about to expire") == true);
        Assert.Contains("Visa ending 4242", reminder.TextBody);
        Assert.Equal(2, app.Stripe.Requests.Count(r => r.Method == "GET" && r.Path == "/v1/subscriptions/sub_ada_card"));
    }

    [Fact]
    public async Task A_card_replaced_between_the_check_and_the_email_is_not_mentioned()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var paymentAt = DateTime.UtcNow.AddDays(5);
        var ada = await SeedAsync(app, "ada@example.org", "sub_ada_new_card", "cus_ada", paymentAt);
        StoreCard(app, "pm_old", "visa", "4242", paymentAt.AddMonths(-1).Year, paymentAt.AddMonths(-1).Month);
        StoreSubscription(app, "sub_ada_new_card", "cus_ada", "pm_old");
        await RunAsync(app);
        StoreCard(app, "pm_new", "visa", "1881", paymentAt.Year + 3, 1);
        StoreSubscription(app, "sub_ada_new_card", "cus_ada", "pm_new");

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SendMembershipEmail>().CardExpiringAsync(ada, CancellationToken.None);

        Assert.Empty(app.Smtp!.Messages);
        Assert.False(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.Kind == "card-expiring")));
    }

    [Fact]
    public async Task A_payment_beyond_the_reminder_window_or_a_gift_that_ends_is_not_checked()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Sqlite; o.UseSmtp = true; });
        await SeedAsync(app, "later@example.org", "sub_later", "cus_later", DateTime.UtcNow.AddDays(20));
        await SeedAsync(app, "ending@example.org", "sub_ending", "cus_ending", DateTime.UtcNow.AddDays(3), cancelAtPeriodEnd: true);

        await RunAsync(app);

        Assert.DoesNotContain(app.Stripe.Requests, r => r.Path.StartsWith("/v1/subscriptions/"));
    }

    private static async Task RunAsync(DonationsApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RemindExpiringCards>().RunAsync(CancellationToken.None);
    }

    private static async Task<long> SeedAsync(DonationsApp app, string email, string subscription, string customer, DateTime paymentAt,
        bool cancelAtPeriodEnd = false)
    {
        var membership = new Membership
        {
            Donor = new Donor { Email = email, Name = "Card Holder", StripeCustomerId = customer, CreatedAt = DateTime.UtcNow },
            StripeSubscriptionId = subscription, StripeCustomerId = customer, Status = "active", MonthlyAmount = 2000, Currency = "usd",
            Tier = "Supporter", StartedAt = DateTime.UtcNow.AddMonths(-3), CurrentPeriodEnd = paymentAt, CancelAtPeriodEnd = cancelAtPeriodEnd,
        };
        await app.WithDbAsync(async db => { db.Memberships.Add(membership); await db.SaveChangesAsync(); });
        return membership.Id;
    }

    private static void StoreCard(DonationsApp app, string id, string brand, string last4, int expYear, int expMonth) =>
        app.Stripe.Put(new JsonObject
        {
            ["id"] = id, ["object"] = "payment_method", ["type"] = "card", ["created"] = 1_700_000_000L, ["livemode"] = false,
            ["card"] = new JsonObject { ["brand"] = brand, ["last4"] = last4, ["exp_month"] = expMonth, ["exp_year"] = expYear, ["country"] = "US", ["funding"] = "credit" },
        });

    private static void StoreSubscription(DonationsApp app, string id, string customer, string? paymentMethod)
    {
        var subscription = StripeEventFactory.Subscription(id, customer, 2000, "usd", "active", DateTimeOffset.UtcNow.AddMonths(-3), DateTimeOffset.UtcNow.AddDays(5));
        subscription["default_payment_method"] = paymentMethod;
        app.Stripe.Put(subscription);
    }
}
