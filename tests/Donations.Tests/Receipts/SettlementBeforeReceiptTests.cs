using Donations.Api.Features.Finance;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>
/// A receipt states what it states when it is issued, and Stripe settles a charge (its balance
/// transaction, the USD amount) a moment after the webhook says it succeeded; so the first receipt
/// of a gift in another currency waits for the settlement, within Receipts:SettlementWait, in the
/// order events really come: the webhook, then the settlement, then the receipt.
/// </summary>
public sealed class SettlementBeforeReceiptTests
{
    public static IEnumerable<object[]> Providers() => [[DatabaseProvider.Sqlite], [DatabaseProvider.Postgres]];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_euro_gift_paid_through_Checkout_gets_a_receipt_that_prints_its_USD_equivalent_from_Stripes_settlement(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.Provider = provider; });
        var gift = new OneTimeGift(Amount: 5000, Currency: "eur", Email: "eur-webhook@example.org");
        app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 5000, "eur", fee: 190, gift.PaidAt, settlementCurrency: "usd", exchangeRate: 1.0823m);
        var dollars = new OneTimeGift(Amount: 2500, Email: "usd-webhook@example.org");

        await app.DeliverAsync(gift.CheckoutCompleted(), dollars.CheckoutCompleted());
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= 2), TimeSpan.FromSeconds(30), "both receipts");

        var receipt = ReceiptEmail.From(app.Smtp!.Messages.Single(m => m.To.Mailboxes.Single().Address == "eur-webhook@example.org"));
        receipt.AssertSaysEverywhere("€50.00 EUR", "USD equivalent, for information: $54.12 USD (deductible part $54.12 USD)");
        // A gift in dollars has nothing to convert: its receipt asks Stripe nothing about its charge.
        Assert.DoesNotContain(app.Stripe.Requests, r => r.Path.Contains(dollars.ChargeId) || r.Path.Contains(dollars.PaymentIntentId));
    }

    [Fact]
    public async Task A_euro_gift_whose_charge_Stripe_settles_after_the_webhook_gets_one_receipt_once_settled_and_it_prints_the_USD_line()
    {
        await using var app = await StartAsync();
        var gift = new OneTimeGift(Amount: 5000, Currency: "eur", Email: "eur-async-capture@example.org");
        var charge = app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 5000, "eur", fee: 190, gift.PaidAt, settlementCurrency: "usd", exchangeRate: 1.0823m);
        var settled = charge["balance_transaction"]!.DeepClone();
        charge["balance_transaction"] = null; // asynchronous capture: the charge has succeeded, its balance transaction comes a moment later

        await app.DeliverAsync(gift.CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        var donationId = await app.WithDbAsync(db => db.Donations.Where(d => d.Currency == "eur").Select(d => d.Id).SingleAsync());
        Assert.Equal(0, await ReceiptsOfAsync(app, donationId)); // held: its facts would be frozen without the USD amount
        Assert.Single(ChargeReads(app, gift));

        // Stripe settles a moment later. Within the read's back-off the sweeper's pass asks Stripe nothing and still holds it.
        charge["balance_transaction"] = settled;
        await app.SweepReceiptsAsync();
        await app.WaitForIdleJobsAsync();
        Assert.Equal(0, await ReceiptsOfAsync(app, donationId));
        Assert.Single(ChargeReads(app, gift));

        app.Clock().Advance(FetchGiftSettlement.RetryDelay(1));
        await app.SweepReceiptsAsync();
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= 1), TimeSpan.FromSeconds(30), "the receipt once settled");
        await app.WaitForIdleJobsAsync();

        var receipt = ReceiptEmail.From(app.Smtp!.Messages.Single());
        receipt.AssertSaysEverywhere("€50.00 EUR", "USD equivalent, for information: $54.12 USD (deductible part $54.12 USD)");
        Assert.Equal(1, await ReceiptsOfAsync(app, donationId));
        Assert.Equal(2, ChargeReads(app, gift).Count);
        Assert.Equal(1, await app.WithDbAsync(db => db.StripeBalanceTransactions.CountAsync(t => t.DonationId == donationId)));
    }

    [Fact]
    public async Task With_Stripe_down_a_euro_gifts_receipt_is_held_only_until_the_wait_ends_and_then_goes_out_once_without_the_USD_line()
    {
        await using var app = await StartAsync();
        var gift = new OneTimeGift(Amount: 5000, Currency: "eur", Email: "eur-outage@example.org");
        app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 5000, "eur", fee: 190, gift.PaidAt, settlementCurrency: "usd", exchangeRate: 1.0823m);
        app.Stripe.On("GET", "/v1/charges/*", _ => StripeReply.Error(500, "api_error", "Stripe is down"));

        await app.DeliverAsync(gift.CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        var donationId = await app.WithDbAsync(db => db.Donations.Where(d => d.Currency == "eur").Select(d => d.Id).SingleAsync());
        Assert.Equal(0, await ReceiptsOfAsync(app, donationId));
        var firstReads = ChargeReads(app, gift).Count; // one read, with the Stripe client's own retries
        Assert.True(firstReads >= 1);

        // Each pass of the sweeper within the wait asks Stripe only once the back-off allows, and keeps holding.
        app.Clock().Advance(TimeSpan.FromSeconds(30));
        await app.SweepReceiptsAsync();
        await app.WaitForIdleJobsAsync();
        Assert.Equal(firstReads, ChargeReads(app, gift).Count);
        app.Clock().Advance(TimeSpan.FromSeconds(31));
        await app.SweepReceiptsAsync();
        await app.WaitForIdleJobsAsync();
        Assert.Equal(0, await ReceiptsOfAsync(app, donationId));
        Assert.Equal(2 * firstReads, ChargeReads(app, gift).Count);

        app.Clock().Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(60));
        await app.SweepReceiptsAsync();
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= 1), TimeSpan.FromSeconds(60), "the receipt once the wait is over");
        await app.SweepReceiptsAsync();
        await app.WaitForIdleJobsAsync();

        var receipt = ReceiptEmail.From(app.Smtp!.Messages.Single());
        receipt.AssertSaysEverywhere("€50.00 EUR");
        receipt.AssertSaysNowhere("USD equivalent");
        Assert.Equal(1, await ReceiptsOfAsync(app, donationId));
    }

    [Fact]
    public async Task A_dollar_gift_delivered_with_a_held_euro_gift_is_receipted_at_once_without_asking_Stripe()
    {
        await using var app = await StartAsync();
        var euros = new OneTimeGift(Amount: 5000, Currency: "eur", Email: "eur-held@example.org");
        var charge = app.Stripe.AddCharge(euros.ChargeId, euros.PaymentIntentId, 5000, "eur", fee: 190, euros.PaidAt, settlementCurrency: "usd", exchangeRate: 1.0823m);
        charge["balance_transaction"] = null;
        var dollars = new OneTimeGift(Amount: 2500, Email: "usd-beside-held@example.org");

        await app.DeliverAsync(euros.CheckoutCompleted(), dollars.CheckoutCompleted());
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= 1), TimeSpan.FromSeconds(30), "the dollar gift's receipt");
        await app.WaitForIdleJobsAsync();

        var sent = Assert.Single(app.Smtp!.Messages);
        Assert.Equal("usd-beside-held@example.org", sent.To.Mailboxes.Single().Address);
        Assert.Equal(1, await app.WithDbAsync(db => db.Receipts.CountAsync()));
        Assert.DoesNotContain(app.Stripe.Requests, r => r.Path.Contains(dollars.ChargeId) || r.Path.Contains(dollars.PaymentIntentId));
    }

    [Fact]
    public async Task A_euro_gift_refunded_while_its_receipt_is_held_gets_its_original_first_and_then_one_correction()
    {
        await using var app = await StartAsync();
        var gift = new OneTimeGift(Amount: 5000, Currency: "eur", Email: "eur-refunded-held@example.org");
        var charge = app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 5000, "eur", fee: 190, gift.PaidAt, settlementCurrency: "usd", exchangeRate: 1.0823m);
        var settled = charge["balance_transaction"]!.DeepClone();
        charge["balance_transaction"] = null;

        await app.DeliverAsync(gift.CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        await app.DeliverAsync(gift.Refunded(2000));
        await app.WaitForIdleJobsAsync();
        Assert.Equal(0, await app.WithDbAsync(db => db.Receipts.CountAsync())); // no correction of an original not issued

        charge["balance_transaction"] = settled;
        app.Clock().Advance(FetchGiftSettlement.RetryDelay(1));
        await app.SweepReceiptsAsync();
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= 2), TimeSpan.FromSeconds(30), "the original and its correction");
        await app.SweepReceiptsAsync();
        await app.WaitForIdleJobsAsync();

        var kinds = await app.WithDbAsync(db => db.Receipts.OrderBy(r => r.Sequence).Select(r => new { r.Kind, r.Amount }).ToListAsync());
        Assert.Equal([(ReceiptKind.Original, 5000L), (ReceiptKind.Correction, 3000L)], kinds.Select(k => (k.Kind, k.Amount)));
        Assert.Equal(2, app.Smtp!.Messages.Count);
        ReceiptEmail.From(app.Smtp.Messages[0]).AssertSaysEverywhere("€50.00 EUR", "USD equivalent, for information: $54.12 USD");
    }

    private static Task<DonationsApp> StartAsync() => DonationsApp.StartAsync(o => { o.UseSmtp = true; o.UseTestClock(); });

    private static Task<int> ReceiptsOfAsync(DonationsApp app, long donationId) =>
        app.WithDbAsync(db => db.Receipts.CountAsync(r => r.DonationId == donationId));

    private static List<StripeRequest> ChargeReads(DonationsApp app, OneTimeGift gift) =>
        app.Stripe.RequestsTo("GET", "/v1/charges/" + gift.ChargeId).ToList();
}
