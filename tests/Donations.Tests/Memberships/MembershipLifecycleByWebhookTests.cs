using Donations.Data;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Memberships;

public sealed class MembershipLifecycleByWebhookTests
{
    [Fact]
    public async Task Sign_up_failed_renewal_and_cancellation_by_webhooks_send_one_email_each_even_with_redeliveries()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.UseSmtp = true; });
        var gift = new MonthlyGift(Amount: 2000);
        var t = gift.StartedAt;

        // The first month arrives as the checkout session and again as its invoice.
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "active", t.AddMinutes(1)));

        // Three failed attempts at the second month's invoice, then a fourth delivered twice.
        var retry = gift.InvoicePaymentFailed(2, attempt: 4, created: t.AddMinutes(5));
        await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(2, attempt: 1, created: t.AddMinutes(2)),
            gift.InvoicePaymentFailed(2, attempt: 2, created: t.AddMinutes(3)), gift.InvoicePaymentFailed(2, attempt: 3, created: t.AddMinutes(4)), retry);
        await app.DeliverAsync(retry);
        await app.Smtp!.WaitForMessageAsync(m => m.Subject?.Contains("did not go through") == true);

        var deleted = gift.Subscription("customer.subscription.deleted", "canceled", t.AddMinutes(6));
        await app.DeliverAndProcessAsync(deleted);
        await app.DeliverAsync(deleted);
        await app.WaitForIdleJobsAsync();

        // Receipts for the paid month go to the same donor; these are the membership's own emails.
        var subjects = app.Smtp.Messages.Select(m => m.Subject).Where(s => s?.Contains("monthly gift") == true).Order().ToList();
        Assert.Equal(
        [
            "Welcome, and thank you for your monthly gift to Example Journal",
            "Your monthly gift to Example Journal did not go through",
            "Your monthly gift to Example Journal has ended",
        ], subjects);
        Assert.All(app.Smtp.Messages, m => Assert.Equal("grace.hopper@example.org", m.To.Mailboxes.Single().Address));
        var keys = await app.WithDbAsync(db => db.Notifications.Where(n => n.SentAt != null).Select(n => n.Key).ToListAsync());
        Assert.Equal(
            new[] { $"canceled:{gift.SubscriptionId}", $"payment-failed:{gift.Month(2).InvoiceId}", $"welcome:{gift.SubscriptionId}" },
            keys.Order());
    }
}
