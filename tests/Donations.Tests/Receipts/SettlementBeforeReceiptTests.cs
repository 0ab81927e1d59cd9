using Donations.Api.Features.Finance;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>
/// A receipt states what it states when it is issued, and the finance sweep learns a foreign gift's
/// settlement only minutes later; so the settlement is read before the first receipt of a gift in
/// another currency is issued, in the order events really come: the webhook, then the receipt.
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
    public async Task With_Stripe_failing_a_euro_gifts_receipt_still_goes_out_promptly_without_the_USD_line()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var gift = new OneTimeGift(Amount: 5000, Currency: "eur", Email: "eur-outage@example.org");
        app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 5000, "eur", fee: 190, gift.PaidAt, settlementCurrency: "usd", exchangeRate: 1.0823m);
        app.Stripe.On("GET", "/v1/charges/*", _ => StripeReply.Error(500, "api_error", "Stripe is down"));

        await app.DeliverAsync(gift.CheckoutCompleted());
        // Well within the ten minutes the settlement could be waited for: the Stripe client's retries, no more.
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= 1), TimeSpan.FromSeconds(60), "the receipt despite Stripe failing");

        var receipt = ReceiptEmail.From(app.Smtp!.Messages.Single());
        receipt.AssertSaysEverywhere("€50.00 EUR");
        receipt.AssertSaysNowhere("USD equivalent");
        Assert.Contains(app.Stripe.Requests, r => r.Path == "/v1/charges/" + gift.ChargeId);
    }
    [Fact]
    public async Task A_charge_Stripe_has_not_settled_yet_is_asked_about_again_and_its_fees_are_booked_once_it_is()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var gift = new OneTimeGift(Amount: 5000, Currency: "eur", Email: "eur-async-capture@example.org");
        var charge = app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 5000, "eur", fee: 190, gift.PaidAt, settlementCurrency: "usd", exchangeRate: 1.0823m);
        var settled = charge["balance_transaction"]!.DeepClone();
        charge["balance_transaction"] = null; // asynchronous capture: the charge has succeeded, its balance transaction comes a moment later

        await app.DeliverAsync(gift.CheckoutCompleted());
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= 1), TimeSpan.FromSeconds(60), "the receipt");
        ReceiptEmail.From(app.Smtp!.Messages.Single()).AssertSaysNowhere("USD equivalent");
        var waiting = await app.WithDbAsync(db => db.GiftSettlements.AsNoTracking().SingleAsync());
        Assert.Null(waiting.CheckedAt); // not "read": nothing was there to read
        Assert.NotNull(waiting.NextAttemptAt);
        Assert.Contains("not settled", waiting.Error);

        charge["balance_transaction"] = settled;
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<FetchGiftSettlement>().ReadAsync(waiting.DonationId, CancellationToken.None));

        Assert.NotNull((await app.WithDbAsync(db => db.GiftSettlements.AsNoTracking().SingleAsync())).CheckedAt);
        Assert.Equal(1, await app.WithDbAsync(db => db.StripeBalanceTransactions.CountAsync(t => t.DonationId == waiting.DonationId)));
    }
}
