using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Statements;

namespace Donations.Tests.Receipts;

/// <summary>
/// Gifts in other currencies carry their US dollar value "for information", from Stripe's
/// settlement as the finance books recorded it; while it is unknown nothing is printed, never a guess.
/// </summary>
public sealed class UsdEquivalentTests
{
    internal static Task SettledAsync(DonationsApp app, long donationId, long usdCents, decimal rate) =>
        app.WithDbAsync(async db =>
        {
            db.StripeBalanceTransactions.Add(new StripeBalanceTransaction
            {
                Id = "txn_" + Guid.NewGuid().ToString("N")[..20], Type = "charge", ReportingCategory = "charge", DonationId = donationId,
                Amount = usdCents, Fee = 200, Net = usdCents - 200, Currency = "usd", ExchangeRate = rate,
                CreatedAt = DateTime.UtcNow, AvailableOn = DateTime.UtcNow, FetchedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        });

    [Fact]
    public async Task A_euro_receipt_prints_its_USD_equivalent_once_the_settlement_is_known_and_says_nothing_before()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var settled = await app.SeedAsync(d => { d.Amount = 5000; d.Currency = "eur"; }, email: "eur-settled@example.org");
        await SettledAsync(app, settled, 5412, 1.0823m);
        var unsettled = await app.SeedAsync(d => { d.Amount = 5000; d.Currency = "eur"; }, email: "eur-unsettled@example.org");

        await app.ReconcileAsync(settled);
        await app.ReconcileAsync(unsettled);
        await app.SendPendingAsync();

        var known = ReceiptEmail.From(app.Smtp!.Messages.Single(m => m.To.Mailboxes.Single().Address == "eur-settled@example.org"));
        known.AssertSaysEverywhere("€50.00 EUR", "USD equivalent, for information: $54.12 USD (deductible part $54.12 USD)");
        var unknown = ReceiptEmail.From(app.Smtp.Messages.Single(m => m.To.Mailboxes.Single().Address == "eur-unsettled@example.org"));
        unknown.AssertSaysEverywhere("€50.00 EUR");
        unknown.AssertSaysNowhere("USD equivalent", "$");
    }

    [Fact]
    public async Task A_USD_equivalent_says_it_is_at_Stripes_rate_which_may_include_its_conversion_fee_and_that_the_days_market_rate_may_be_used()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync(d => { d.Amount = 5000; d.Currency = "eur"; }, email: "eur-rate@example.org");
        await SettledAsync(app, id, 5412, 1.0823m);

        await app.ReconcileAsync(id);
        await app.SendPendingAsync();

        var receipt = ReceiptEmail.From(app.Smtp!.Messages.Single(m => m.To.Mailboxes.Single().Address == "eur-rate@example.org"));
        receipt.AssertSaysEverywhere(
            "at the rate Stripe applied when the payment settled. That rate may include Stripe's currency conversion fee, "
            + "so it can be slightly below the market rate of the day you gave, which you may use instead.");
    }

    [Fact]
    public async Task A_statement_prints_each_foreign_gifts_USD_equivalent_and_a_yearly_USD_total_leaving_out_unknown_conversions()
    {
        await using var app = await DonationsApp.StartAsync();
        var ada = await app.DonorAsync("Ada Lovelace", "ada-usd@example.com");
        await app.GiftAsync(ada, new DateTime(2025, 3, 1, 17, 0, 0, DateTimeKind.Utc), 10000);
        await app.GiftAsync(ada, new DateTime(2025, 4, 1, 16, 0, 0, DateTimeKind.Utc), 5000, currency: "eur", refunded: 1000);
        await app.GiftAsync(ada, new DateTime(2025, 5, 1, 16, 0, 0, DateTimeKind.Utc), 3000, currency: "gbp");
        var euros = await app.WithDbAsync(db => Task.FromResult(db.Donations.Single(d => d.Currency == "eur").Id));
        await SettledAsync(app, euros, 5412, 1.0823m);

        await app.RunStatementsAsync(2025);

        var message = Assert.Single(app.Statements());
        foreach (var reading in message.Readings())
        {
            // €40 remains of €50 that settled as $54.12: $43.30.
            Assert.Contains("USD equivalent, for information: $43.30 USD (deductible part $43.30 USD)", reading);
            Assert.Contains("All gifts in US dollars, for information", reading);
            Assert.Contains("$143.30 USD, deductible $143.30 USD; 1 gift is left out because its conversion is not known yet", reading);
            Assert.Contains("Deductible total: €40.00 EUR", reading);
            Assert.Contains("Deductible total: £30.00 GBP", reading);
            Assert.Contains("Stripe's rates may include its currency conversion fee, so they can be slightly below the market rate of the day you gave", reading);
        }
    }
}
