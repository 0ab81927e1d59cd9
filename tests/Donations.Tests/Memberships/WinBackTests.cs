using Donations.Api.Features.Memberships;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Memberships;

public sealed class WinBackTests
{
    private static Task<DonationsApp> StartAsync(int? afterDays, bool testClock = false, bool offersAnnual = false) => DonationsApp.StartAsync(o =>
    {
        o.Provider = DatabaseProvider.Postgres;
        o.UseSmtp = true;
        if (testClock) o.UseTestClock();
        if (offersAnnual)
        {
            o.Settings["Donations:Frequencies:0"] = "one-time";
            o.Settings["Donations:Frequencies:1"] = "monthly";
            o.Settings["Donations:Frequencies:2"] = "annual";
        }
        if (afterDays is { } days) o.Settings["Memberships:WinBackAfterDays"] = days.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });

    [Fact]
    public async Task A_lapsed_member_is_invited_back_once_after_the_configured_days_to_a_form_holding_their_last_gift()
    {
        await using var app = await StartAsync(afterDays: 14);
        var now = DateTime.UtcNow;
        var canceled = await SeedAsync(app, "ada@example.org", "sub_ada", "canceled", lapsedAt: now.AddDays(-15), amount: 1250);
        var unpaid = await SeedAsync(app, "alan@example.org", "sub_alan", "unpaid", lapsedAt: now.AddDays(-20), amount: 3000);
        await SeedAsync(app, "recent@example.org", "sub_recent", "canceled", lapsedAt: now.AddDays(-3));
        await SeedAsync(app, "ancient@example.org", "sub_ancient", "canceled", lapsedAt: now.AddDays(-400));
        await SeedAsync(app, "going@example.org", "sub_going", "past_due", lapsedAt: now.AddDays(-30));

        await RunAsync(app);
        await RunAsync(app);
        await app.WaitForIdleJobsAsync();

        var invitations = WinBacks(app);
        Assert.Equal(["ada@example.org", "alan@example.org"], invitations.Select(m => m.To.Mailboxes.Single().Address).Order());
        var ada = invitations.Single(m => m.To.Mailboxes.Single().Address == "ada@example.org");
        Assert.Contains("https://donate.example.org/donate?amount=12.50&currency=usd&frequency=monthly", ada.TextBody);
        Assert.Contains("$12.50", ada.TextBody);
        Assert.Equal(["win-back:sub_ada", "win-back:sub_alan"],
            await app.WithDbAsync(db => db.Notifications.Where(n => n.SentAt != null).Select(n => n.Key).OrderBy(k => k).ToListAsync()));
        // The form the link opens holds the gift.
        var form = await app.Client.GetStringAsync("/donate?amount=12.50&currency=usd&frequency=monthly");
        Assert.Matches("value=\"monthly\"[^>]*checked", form);
        Assert.Matches("name=\"customAmount\"[^>]*value=\"12.50\"", form);
        Assert.Equal(canceled, await app.WithDbAsync(db => db.Memberships.Where(m => m.StripeSubscriptionId == "sub_ada").Select(m => m.Id).SingleAsync()));
        Assert.NotEqual(canceled, unpaid);
    }

    [Theory]
    [InlineData(true, "amount=150&currency=usd&frequency=annual&coverFee=true", "value=\"annual\"", "150", "an annual gift of $150.00 filled in")]
    [InlineData(false, "amount=12.50&currency=usd&frequency=monthly&coverFee=true", "value=\"monthly\"", "12.50", "a monthly gift of $12.50 filled in")]
    public async Task An_annual_member_who_covered_the_fee_is_offered_their_annual_gift_without_the_fee_and_with_the_fee_choice_ticked(
        bool offersAnnual, string query, string frequencyChoice, string amount, string offered)
    {
        await using var app = await StartAsync(afterDays: 14, offersAnnual: offersAnnual);
        // $150 a year, and $4.50 added to cover Stripe's fee: each payment charged $154.50.
        await SeedAsync(app, "annual@example.org", "sub_annual", "canceled", lapsedAt: DateTime.UtcNow.AddDays(-15),
            amount: 15450, interval: "year", fee: 450);

        await RunAsync(app);
        await app.WaitForIdleJobsAsync();

        var invitation = Assert.Single(WinBacks(app));
        Assert.Contains("your annual gift of $154.50", invitation.TextBody);
        Assert.Contains("your annual gift of $154.50", invitation.HtmlBody);
        Assert.Contains("annual gift", invitation.Subject);
        Assert.DoesNotContain("your monthly gift", invitation.TextBody);
        Assert.Contains("https://donate.example.org/donate?" + query, invitation.TextBody);
        // The email says what the form holds.
        Assert.Contains(offered, invitation.TextBody);
        Assert.Contains(offered, invitation.HtmlBody);
        // The form the link opens holds the gift as it was chosen: the amount, the rhythm and the fee choice.
        var form = await app.Client.GetStringAsync("/donate?" + query);
        Assert.Matches(frequencyChoice + "[^>]*checked", form);
        Assert.Matches("name=\"customAmount\"[^>]*value=\"" + amount + "\"", form);
        Assert.Matches("name=\"coverFee\"[^>]*checked", form);
    }

    [Fact]
    public async Task A_member_who_rejoined_is_not_asked_and_a_second_lapse_is_asked_again()
    {
        await using var app = await StartAsync(afterDays: 7);
        var now = DateTime.UtcNow;
        var first = await SeedAsync(app, "ada@example.org", "sub_first", "canceled", lapsedAt: now.AddDays(-8));
        await RunAsync(app);
        await app.WaitForIdleJobsAsync();
        Assert.Single(WinBacks(app));

        // Ada comes back; a lapse of someone who gives monthly again asks nothing.
        var donorId = await app.WithDbAsync(db => db.Memberships.Where(m => m.Id == first).Select(m => m.DonorId).SingleAsync());
        var second = await SeedAsync(app, null, "sub_second", "active", lapsedAt: now, donorId: donorId);
        await SeedAsync(app, "grace@example.org", "sub_grace_old", "canceled", lapsedAt: now.AddDays(-9));
        var graceId = await app.WithDbAsync(db => db.Donors.Where(d => d.Email == "grace@example.org").Select(d => d.Id).SingleAsync());
        await SeedAsync(app, null, "sub_grace_new", "active", lapsedAt: now, donorId: graceId);
        await RunAsync(app);
        await app.WaitForIdleJobsAsync();
        Assert.Single(WinBacks(app));

        // The second gift lapses too: that lapse is asked about once more.
        await app.WithDbAsync(db => db.Memberships.Where(m => m.Id == second)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Status, "canceled").SetProperty(m => m.CanceledAt, now.AddDays(-8))
                .SetProperty(m => m.LapsedAt, now.AddDays(-8))));
        await RunAsync(app);
        await RunAsync(app);
        await app.WaitForIdleJobsAsync();

        Assert.Equal(2, WinBacks(app).Count);
        Assert.All(WinBacks(app), m => Assert.Equal("ada@example.org", m.To.Mailboxes.Single().Address));
    }

    [Fact]
    public async Task A_gift_left_unpaid_is_asked_back_on_the_configured_day_after_it_lapsed_however_late_its_last_event()
    {
        await using var app = await StartAsync(afterDays: 30, testClock: true);
        var today = app.Clock().GetUtcNow();
        var gift = new MonthlyGift(Email: "unpaid@example.org") { StartedAt = today.AddDays(-120) };
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
        // Stripe gave up 29 days ago; ten days later staff edited the unpaid subscription (a newer event, same status).
        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "unpaid", today.AddDays(-29), paidMonths: 3));
        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "unpaid", today.AddDays(-19), paidMonths: 3));
        await app.WaitForIdleJobsAsync();
        var lapsedAt = await app.WithDbAsync(db => db.Memberships.Select(m => m.LapsedAt).SingleAsync());
        Assert.Equal(today.AddDays(-29).UtcDateTime, Assert.NotNull(lapsedAt), TimeSpan.FromSeconds(1));

        await RunAsync(app);
        await app.WaitForIdleJobsAsync();
        Assert.Empty(WinBacks(app));

        app.Clock().Advance(TimeSpan.FromDays(1));
        await RunAsync(app);
        await app.WaitForIdleJobsAsync();
        Assert.Equal("unpaid@example.org", Assert.Single(WinBacks(app)).To.Mailboxes.Single().Address);

        foreach (var _ in Enumerable.Range(0, 3))
        {
            app.Clock().Advance(TimeSpan.FromDays(1));
            await RunAsync(app);
        }
        await app.WaitForIdleJobsAsync();
        Assert.Single(WinBacks(app));
    }

    [Fact]
    public async Task A_lapse_is_forgotten_when_the_gift_is_paid_again()
    {
        await using var app = await StartAsync(afterDays: 7);
        var gift = new MonthlyGift(Email: "back@example.org") { StartedAt = DateTimeOffset.UtcNow.AddDays(-90) };
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "unpaid", DateTimeOffset.UtcNow.AddDays(-20), paidMonths: 2));
        Assert.NotNull(await app.WithDbAsync(db => db.Memberships.Select(m => m.LapsedAt).SingleAsync()));

        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "active", DateTimeOffset.UtcNow.AddDays(-10), paidMonths: 3));
        await RunAsync(app);
        await app.WaitForIdleJobsAsync();

        Assert.Null(await app.WithDbAsync(db => db.Memberships.Select(m => m.LapsedAt).SingleAsync()));
        Assert.Empty(WinBacks(app));
    }

    [Fact]
    public async Task Win_back_is_off_unless_configured()
    {
        await using var app = await StartAsync(afterDays: null);
        await SeedAsync(app, "ada@example.org", "sub_ada", "canceled", lapsedAt: DateTime.UtcNow.AddDays(-20));

        await RunAsync(app);
        await app.WaitForIdleJobsAsync();

        Assert.Empty(WinBacks(app));
    }

    private static List<MimeKit.MimeMessage> WinBacks(DonationsApp app) =>
        app.Smtp!.Messages.Where(m => m.Subject?.Contains("Would you renew") == true).ToList();

    private static async Task RunAsync(DonationsApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<InviteLapsedMembersBack>().RunAsync(CancellationToken.None);
    }

    private static async Task<long> SeedAsync(DonationsApp app, string? email, string subscription, string status, DateTime lapsedAt,
        long amount = 2000, long? donorId = null, string interval = "month", long fee = 0)
    {
        var membership = new Membership
        {
            StripeSubscriptionId = subscription, StripeCustomerId = "cus_" + subscription, Status = status, MonthlyAmount = amount, Interval = interval, FeeAmount = fee,
            Currency = "usd", StartedAt = lapsedAt.AddMonths(-6), LastEventAt = lapsedAt,
            CanceledAt = status == "canceled" ? lapsedAt : null,
            LapsedAt = status is "canceled" or "unpaid" ? lapsedAt : null,
        };
        if (donorId is { } id) membership.DonorId = id;
        else membership.Donor = new Donor { Email = email!, Name = "Former Member", CreatedAt = DateTime.UtcNow };
        await app.WithDbAsync(async db => { db.Memberships.Add(membership); await db.SaveChangesAsync(); });
        return membership.Id;
    }
}
