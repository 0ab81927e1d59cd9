using Donations.Api.Features.Memberships;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Memberships;

public sealed class LifecycleEmailTests
{
    private static Task<DonationsApp> StartAsync(DatabaseProvider provider = DatabaseProvider.Postgres) => DonationsApp.StartAsync(o =>
    {
        o.Provider = provider;
        o.UseSmtp = true;
    });

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Welcome_email_goes_out_once_however_often_and_concurrently_it_is_asked_for(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var membershipId = await SeedMembershipAsync(app, "sub_welcome", "Supporter", 2000);
        var notifier = app.Services.GetRequiredService<MembershipNotifier>();

        // Handlers calling on every duplicate event, and jobs racing each other directly.
        var direct = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<SendMembershipEmail>().WelcomeAsync(membershipId, CancellationToken.None);
        }));
        for (var i = 0; i < 5; i++) notifier.Welcome(membershipId);
        await Task.WhenAll(direct);
        await app.WaitForIdleJobsAsync();

        var email = Assert.Single(Lifecycle(app));
        Assert.Equal("member@example.com", email.To.Mailboxes.Single().Address);
        Assert.Contains("Welcome", email.Subject);
        Assert.Contains("$20.00", email.TextBody);
        Assert.Contains("Supporter", email.TextBody);
        Assert.Contains("Quarterly print edition", email.TextBody);
        var notification = await app.WithDbAsync(db => db.Notifications.AsNoTracking().SingleAsync());
        Assert.Equal("welcome:sub_welcome", notification.Key);
        Assert.NotNull(notification.SentAt);
        Assert.Equal(notification.MessageId, email.MessageId);
    }

    [Fact]
    public async Task Payment_failed_email_goes_out_once_per_invoice_not_once_per_retry()
    {
        await using var app = await StartAsync();
        var membershipId = await SeedMembershipAsync(app, "sub_failing", "Reader", 1000);
        var notifier = app.Services.GetRequiredService<MembershipNotifier>();

        for (var attempt = 0; attempt < 4; attempt++) notifier.PaymentFailed(membershipId, "in_march");
        notifier.PaymentFailed(membershipId, "in_april");
        await app.WaitForIdleJobsAsync();

        Assert.Equal(2, Lifecycle(app).Count);
        Assert.All(Lifecycle(app), m =>
        {
            Assert.Contains("did not go through", m.Subject);
            Assert.Contains("https://donate.example.org/manage", m.TextBody);
            Assert.Contains("""href="https://donate.example.org/manage">""", m.HtmlBody);
        });
        var keys = await app.WithDbAsync(db => db.Notifications.Where(n => n.SentAt != null).Select(n => n.Key).OrderBy(k => k).ToListAsync());
        Assert.Equal(["payment-failed:in_april", "payment-failed:in_march"], keys);
    }

    [Fact]
    public async Task Payment_failed_email_is_dropped_when_the_invoice_was_paid_before_it_went_out()
    {
        await using var app = await StartAsync();
        var membershipId = await SeedMembershipAsync(app, "sub_recovered", "Reader", 1000);

        var notifier = app.Services.GetRequiredService<MembershipNotifier>();

        notifier.PaymentFailed(membershipId, "in_first_sub_recovered");
        notifier.PaymentFailed(membershipId, "in_second_sub_recovered"); // not paid: this one goes out
        await app.WaitForIdleJobsAsync();

        var email = Assert.Single(Lifecycle(app));
        Assert.Contains("did not go through", email.Subject);
        var keys = await app.WithDbAsync(db => db.Notifications.Select(n => n.Key).ToListAsync());
        Assert.Equal(["payment-failed:in_second_sub_recovered"], keys);
    }

    [Fact]
    public async Task Canceled_email_goes_out_once_and_offers_the_way_back()
    {
        await using var app = await StartAsync();
        var membershipId = await SeedMembershipAsync(app, "sub_leaving", "Patron", 6000);
        var notifier = app.Services.GetRequiredService<MembershipNotifier>();

        notifier.Canceled(membershipId);
        notifier.Canceled(membershipId);
        notifier.Canceled(membershipId);
        await app.WaitForIdleJobsAsync();

        var email = Assert.Single(Lifecycle(app));
        Assert.Contains("has ended", email.Subject);
        Assert.Contains("https://donate.example.org/donate", email.TextBody);
        Assert.Contains("$60.00", email.TextBody);
    }

    [Fact]
    public async Task Each_occasion_has_its_own_email()
    {
        await using var app = await StartAsync();
        var membershipId = await SeedMembershipAsync(app, "sub_story", "Reader", 500);
        var notifier = app.Services.GetRequiredService<MembershipNotifier>();

        notifier.Welcome(membershipId);
        notifier.PaymentFailed(membershipId, "in_1");
        notifier.Canceled(membershipId);
        await app.WaitForIdleJobsAsync();

        Assert.Equal(3, Lifecycle(app).Count);
        Assert.Equal(3, Lifecycle(app).Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task Address_that_refuses_mail_is_recorded_and_not_retried()
    {
        await using var app = await StartAsync();
        app.Smtp!.Reject("member@example.com");
        var membershipId = await SeedMembershipAsync(app, "sub_bounce", "Reader", 500);

        app.Services.GetRequiredService<MembershipNotifier>().Welcome(membershipId);
        await app.WaitForIdleJobsAsync();

        var notification = await app.WithDbAsync(db => db.Notifications.AsNoTracking().SingleAsync());
        Assert.Null(notification.SentAt);
        Assert.Equal(1, notification.Attempts);
        Assert.Contains("refused", notification.LastError);
    }

    [Fact]
    public async Task Welcome_email_takes_its_words_from_the_organisations_edited_template()
    {
        var folder = Directory.CreateTempSubdirectory("membership-templates-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "membership-welcome.subject.liquid"),
                "Welcome aboard, {{ donor_name }}: {{ tier }} at {{ amount }} a monthly gift");
            await using var app = await DonationsApp.StartAsync(o =>
            {
                o.Provider = DatabaseProvider.Sqlite;
                o.UseSmtp = true;
                o.Settings["Email:TemplatesDirectory"] = folder;
            });
            var membershipId = await SeedMembershipAsync(app, "sub_edited", "Supporter", 2000);

            app.Services.GetRequiredService<MembershipNotifier>().Welcome(membershipId);
            await app.WaitForIdleJobsAsync();

            var email = Assert.Single(Lifecycle(app));
            Assert.Equal("Welcome aboard, Max Member: Supporter at $20.00 a monthly gift", email.Subject);
            // The bodies the organisation did not edit come from the shipped templates.
            Assert.Contains("Your first payment has gone through", email.TextBody);
            Assert.Contains("""<a href="https://donate.example.org/manage">""", email.HtmlBody);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // A receipt sweep may mail the seeded gifts' receipts too; these tests are about the membership's own emails.
    private static List<MimeKit.MimeMessage> Lifecycle(DonationsApp app) =>
        app.Smtp!.Messages.Where(m => m.Subject?.Contains("monthly gift") == true).ToList();

    private static async Task<long> SeedMembershipAsync(DonationsApp app, string subscription, string tier, long amount)
    {
        var membership = new Membership
        {
            Donor = new Donor { Email = "member@example.com", Name = "Max Member", CreatedAt = DateTime.UtcNow },
            StripeSubscriptionId = subscription, StripeCustomerId = "cus_member", Status = "active",
            MonthlyAmount = amount, Currency = "usd", Tier = tier, StartedAt = DateTime.UtcNow,
            CurrentPeriodEnd = DateTime.UtcNow.AddMonths(1),
        };
        var firstMonth = new Donation
        {
            SettlementKey = $"in:in_first_{subscription}", Donor = membership.Donor, Membership = membership, Amount = amount,
            Currency = "usd", Frequency = DonationFrequency.Monthly, Status = DonationStatus.Succeeded,
            ReceivedAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow, StripeInvoiceId = $"in_first_{subscription}",
        };
        await app.WithDbAsync(async db => { db.Donations.Add(firstMonth); await db.SaveChangesAsync(); });
        return membership.Id;
    }
}
