using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Memberships;

public sealed class MembershipEventTests
{
    [Fact]
    public async Task A_new_subscription_becomes_a_membership_with_its_tier_and_period()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift(Amount: 5000);

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated());

        var m = await app.WithDbAsync(db => db.Memberships.Include(x => x.Donor).SingleAsync());
        Assert.Equal((gift.SubscriptionId, gift.CustomerId, "active"), (m.StripeSubscriptionId, m.StripeCustomerId, m.Status));
        Assert.Equal((5000L, "usd", "Patron"), (m.MonthlyAmount, m.Currency, m.Tier));
        Assert.Equal(gift.MonthStart(2).ToUnixTimeSeconds(), new DateTimeOffset(m.CurrentPeriodEnd!.Value).ToUnixTimeSeconds());
        Assert.Equal(gift.StartedAt.ToUnixTimeSeconds(), new DateTimeOffset(m.StartedAt).ToUnixTimeSeconds());
        Assert.Equal("grace.hopper@example.org", m.Donor!.Email);
    }

    [Fact]
    public async Task An_older_subscription_update_never_overwrites_a_newer_one()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift();
        var t = gift.StartedAt;
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated());

        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "past_due", t.AddMinutes(2)));
        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "active", t.AddMinutes(1), cancelAtPeriodEnd: true));
        await app.DeliverAndProcessAsync(gift.SubscriptionCreated(t));

        var m = await app.WithDbAsync(db => db.Memberships.SingleAsync());
        Assert.Equal(("past_due", false), (m.Status, m.CancelAtPeriodEnd));
        Assert.Equal(t.AddMinutes(2).ToUnixTimeSeconds(), new DateTimeOffset(m.LastEventAt).ToUnixTimeSeconds());
        var statuses = await app.WithDbAsync(db => db.StripeEvents.OrderBy(e => e.ReceivedAt).Select(e => e.Status).ToListAsync());
        Assert.Equal([StripeEventStatus.Processed, StripeEventStatus.Processed, StripeEventStatus.Processed, StripeEventStatus.Ignored, StripeEventStatus.Ignored], statuses);
    }

    [Fact]
    public async Task Cancel_at_period_end_then_deletion_end_the_membership()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift();
        var t = gift.StartedAt;
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated());

        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "active", t.AddMinutes(1), cancelAtPeriodEnd: true));
        Assert.True((await app.WithDbAsync(db => db.Memberships.SingleAsync())).CancelAtPeriodEnd);

        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.deleted", "canceled", t.AddMinutes(2), cancelAtPeriodEnd: true));
        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "active", t.AddMinutes(2)));

        var m = await app.WithDbAsync(db => db.Memberships.SingleAsync());
        Assert.Equal("canceled", m.Status);
        Assert.Equal(t.AddMinutes(2).ToUnixTimeSeconds(), new DateTimeOffset(m.CanceledAt!.Value).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_failed_renewal_makes_the_membership_past_due_and_a_failed_first_payment_does_not()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift();
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated());

        await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(1));
        Assert.Equal("active", (await app.WithDbAsync(db => db.Memberships.SingleAsync())).Status);

        await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(2, attempt: 2));
        Assert.Equal("past_due", (await app.WithDbAsync(db => db.Memberships.SingleAsync())).Status);
        Assert.Equal(0, await app.WithDbAsync(db => db.Donations.CountAsync(d => d.StripeInvoiceId == gift.Month(2).InvoiceId)));
    }
}
