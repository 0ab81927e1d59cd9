using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Donations;

public sealed class OneTimeGiftTests
{
    [Fact]
    public async Task A_paid_checkout_session_records_the_gift_its_donor_and_its_metadata()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 5180, Email: "  Ada.Lovelace@Example.ORG ", Name: "Ada Lovelace", Metadata: new Dictionary<string, string>
        {
            ["origin"] = "donate_page", ["frequency"] = "one-time", ["cover_fee"] = "true", ["fee_amount"] = "180", ["campaign"] = "spring-appeal", ["source"] = "article-footer",
        });

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());

        var donation = await app.WithDbAsync(db => db.Donations.Include(d => d.Donor).SingleAsync());
        Assert.Equal("pi:" + gift.PaymentIntentId, donation.SettlementKey);
        Assert.Equal(5180, donation.Amount);
        Assert.Equal("usd", donation.Currency);
        Assert.Equal(DonationFrequency.OneTime, donation.Frequency);
        Assert.Equal(DonationStatus.Succeeded, donation.Status);
        Assert.True(donation.FeeCovered);
        Assert.Equal(180, donation.FeeAmount);
        Assert.Equal("spring-appeal", donation.Campaign);
        Assert.Equal("article-footer", donation.Source);
        Assert.Equal(gift.SessionId, donation.StripeCheckoutSessionId);
        Assert.Equal(gift.PaymentIntentId, donation.StripePaymentIntentId);
        Assert.Equal(0, donation.BenefitsValue);
        Assert.Null(donation.BenefitsDescription);
        Assert.Equal(gift.PaidAt.ToUnixTimeSeconds(), new DateTimeOffset(donation.ReceivedAt).ToUnixTimeSeconds());
        Assert.Equal("ada.lovelace@example.org", donation.Donor!.Email);
        Assert.Equal("Ada Lovelace", donation.Donor.Name);
    }

    [Fact]
    public async Task Gifts_from_one_email_in_any_letter_case_belong_to_one_donor()
    {
        await using var app = await DonationsApp.StartAsync();
        var first = new OneTimeGift(Amount: 1000, Email: "reader@example.org", Name: null);
        var second = new OneTimeGift(Amount: 2000, Email: "READER@Example.org", Name: "Ruth Reader");

        await app.DeliverAndProcessAsync(first.CheckoutCompleted(), second.CheckoutCompleted());

        var donor = await app.WithDbAsync(db => db.Donors.Include(d => d.Donations).SingleAsync());
        Assert.Equal("reader@example.org", donor.Email);
        Assert.Equal("Ruth Reader", donor.Name);
        Assert.Equal([1000, 2000], donor.Donations.Select(d => d.Amount).Order());
    }

    [Fact]
    public async Task A_delayed_payment_is_recorded_when_it_succeeds_and_not_when_it_fails()
    {
        await using var app = await DonationsApp.StartAsync();
        var succeeds = new OneTimeGift(Amount: 3000);
        var fails = new OneTimeGift(Amount: 7000);

        await app.DeliverAndProcessAsync(succeeds.CheckoutCompleted(paymentStatus: "unpaid"), fails.CheckoutCompleted(paymentStatus: "unpaid"));
        Assert.Equal(0, await app.WithDbAsync(db => db.Donations.CountAsync()));

        await app.DeliverAndProcessAsync(
            succeeds.CheckoutCompleted(type: "checkout.session.async_payment_succeeded", created: DateTimeOffset.UtcNow),
            fails.CheckoutCompleted(paymentStatus: "unpaid", type: "checkout.session.async_payment_failed", created: DateTimeOffset.UtcNow));

        var donation = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal(3000, donation.Amount);
        Assert.Equal("pi:" + succeeds.PaymentIntentId, donation.SettlementKey);
    }

    [Fact]
    public async Task A_bank_debit_is_dated_when_the_donor_completed_Checkout_not_when_the_session_opened_nor_when_it_settled()
    {
        await using var app = await DonationsApp.StartAsync();
        var opened = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        var gift = new OneTimeGift(Amount: 4500) { PaidAt = opened.AddMinutes(2) }; // the session opens two minutes before
        var completed = opened.AddHours(5);
        var unpaidLeftAlone = new OneTimeGift(Amount: 900) { PaidAt = opened.AddMinutes(2) };

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(paymentStatus: "unpaid", created: completed),
            unpaidLeftAlone.CheckoutCompleted(paymentStatus: "unpaid", created: completed));
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(type: "checkout.session.async_payment_succeeded", created: completed.AddDays(4)),
            unpaidLeftAlone.CheckoutCompleted(paymentStatus: "unpaid", type: "checkout.session.async_payment_failed", created: completed.AddDays(4)));

        var donation = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal(completed.UtcDateTime, donation.ReceivedAt);
        Assert.False(await app.WithDbAsync(db => db.DelayedCheckouts.AnyAsync()));
    }

    [Fact]
    public async Task A_settled_bank_debit_whose_completion_was_never_seen_is_dated_when_its_session_opened()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 4600) { PaidAt = new DateTimeOffset(2026, 3, 2, 9, 2, 0, TimeSpan.Zero) };

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(type: "checkout.session.async_payment_succeeded",
            created: gift.PaidAt.AddDays(4)));

        Assert.Equal(gift.PaidAt.AddMinutes(-2).UtcDateTime, (await app.WithDbAsync(db => db.Donations.SingleAsync())).ReceivedAt);
    }

    [Fact]
    public async Task The_same_payment_described_by_completed_and_async_succeeded_events_is_one_gift()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 1234);

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(),
            gift.CheckoutCompleted(type: "checkout.session.async_payment_succeeded", created: DateTimeOffset.UtcNow));

        Assert.Equal(1234, (await app.WithDbAsync(db => db.Donations.SingleAsync())).Amount);
    }

    [Fact]
    public async Task A_zero_decimal_currency_gift_is_stored_in_whole_units()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 3000, Currency: "jpy");

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());

        var donation = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal((3000, "jpy"), (donation.Amount, donation.Currency));
    }
}
