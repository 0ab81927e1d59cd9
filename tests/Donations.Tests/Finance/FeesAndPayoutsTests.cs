using System.Net;
using Donations.Api.Features.Staff;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Donations.Tests.Finance.FinanceBooks;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Finance;

public sealed class FeesAndPayoutsTests
{
    [Fact]
    public async Task Fees_net_settlement_and_payout_of_each_gift_in_the_donations_export_equal_Stripes()
    {
        await using var app = await DonationsApp.StartAsync();
        var usd = new OneTimeGift(Amount: 2500, Metadata: DonatePage(campaign: "spring", source: "article-42"));
        var eur = new OneTimeGift(Amount: 5000, Currency: "eur", Email: "eur@example.org", Metadata: DonatePage());
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        app.Stripe.AddCharge(usd.ChargeId, usd.PaymentIntentId, 2500, "usd", fee: 103, at);
        app.Stripe.AddCharge(eur.ChargeId, eur.PaymentIntentId, 5000, "eur", fee: 190, at, settlementCurrency: "usd", exchangeRate: 1.0823m);
        await app.DeliverAndProcessAsync(usd.CheckoutCompleted(), eur.CheckoutCompleted());
        await app.ReadStripeFeesAsync();

        // A partial refund later: its balance transaction joins the gift's, and the gift is read again.
        app.Stripe.AddRefund(usd.ChargeId, 1000, DateTimeOffset.UtcNow);
        await app.DeliverAndProcessAsync(usd.Refunded(1000));
        await app.ReadStripeFeesAsync();
        var payout = app.Stripe.AddPayout(DateTimeOffset.UtcNow.Date.AddDays(1),
            [app.Stripe.TransactionOf(usd.ChargeId), app.Stripe.TransactionOf(eur.ChargeId)]);
        await app.PayoutArrivesAsync(payout);
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var rows = Rows(await finance.GetStringAsync("/api/finance/donations.csv")).ToDictionary(r => r["stripe_payment_intent"]);

        var u = rows[usd.PaymentIntentId];
        Assert.Equal(("1.03", "13.97", "usd", "25.00", "", (string)payout["id"]!), (u["fee_amount"], u["net_amount"], u["settlement_currency"], u["settlement_amount"], u["exchange_rate"], u["payout_id"]));
        Assert.Equal(("spring", "article-42", "0.00", "15.00"), (u["campaign"], u["source"], u["benefits_value"], u["deductible_amount"]));
        var e = rows[eur.PaymentIntentId];
        Assert.Equal(("1.90", "52.22", "usd", "54.12", "1.0823", (string)payout["id"]!), (e["fee_amount"], e["net_amount"], e["settlement_currency"], e["settlement_amount"], e["exchange_rate"], e["payout_id"]));
        Assert.Equal("50.00", e["amount"]);
    }

    [Fact]
    public async Task A_gift_refunded_in_more_pieces_than_Stripe_embeds_in_its_charge_has_every_refund_in_its_net()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 20000, Metadata: DonatePage());
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, gift.Amount, "usd", fee: 610, at);
        // More refunds than one page of Stripe's refunds list, each returning a cent of the fee.
        var refunds = Enumerable.Range(0, 105).Select(i => app.Stripe.AddRefund(gift.ChargeId, 100, at.AddMinutes(i + 1), feeReturned: 1)).ToList();
        var refunded = refunds.Sum(r => r["amount"]!.GetValue<long>());
        Assert.True(app.Stripe.Object(gift.ChargeId)["refunds"]!["has_more"]!.GetValue<bool>());
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.Refunded(refunded));
        await app.ReadStripeFeesAsync();
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var row = Assert.Single(Rows(await finance.GetStringAsync("/api/finance/donations.csv")));

        var moved = refunds.Select(r => (string)r["balance_transaction"]!).Prepend(app.Stripe.TransactionOf(gift.ChargeId)).Select(app.Stripe.Object).ToList();
        string Stripes(string field) => (moved.Sum(t => t[field]!.GetValue<long>()) / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((Stripes("fee"), Stripes("net")), (row["fee_amount"], row["net_amount"]));
        // Read through Stripe's refunds list of the charge, page after page.
        var listed = app.Stripe.RequestsTo("GET", "/v1/refunds").ToList();
        Assert.All(listed, r => Assert.Contains("charge=" + gift.ChargeId, r.Query));
        Assert.Contains(listed, r => r.Query.Contains("starting_after="));
    }

    [Fact]
    public async Task A_refunded_gift_whose_charge_comes_without_its_refunds_has_them_read_from_Stripes_refunds_list()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 5000, Metadata: DonatePage());
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, gift.Amount, "usd", fee: 175, at);
        app.Stripe.AddRefund(gift.ChargeId, 2000, at.AddHours(1), feeReturned: 0);
        app.Stripe.OmitChargeRefunds = true; // refunds are an includable field of a charge
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.Refunded(2000));
        await app.ReadStripeFeesAsync();
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var row = Assert.Single(Rows(await finance.GetStringAsync("/api/finance/donations.csv")));

        Assert.Equal(("1.75", "28.25"), (row["fee_amount"], row["net_amount"])); // 50.00 - 1.75 - 20.00
        Assert.Single(app.Stripe.RequestsTo("GET", "/v1/refunds"), r => r.Query.Contains("charge=" + gift.ChargeId));
    }

    [Fact]
    public async Task A_payouts_journal_balances_to_its_bank_amount_and_its_row_counts_gifts_and_other_money()
    {
        await using var app = await DonationsApp.StartAsync();
        var gifts = new[] { new OneTimeGift(Amount: 10000, Metadata: DonatePage()), new OneTimeGift(Amount: 2500, Email: "b@example.org", Metadata: DonatePage()) };
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        app.Stripe.AddCharge(gifts[0].ChargeId, gifts[0].PaymentIntentId, 10000, "usd", fee: 320, at);
        app.Stripe.AddCharge(gifts[1].ChargeId, gifts[1].PaymentIntentId, 2500, "usd", fee: 103, at);
        var refund = app.Stripe.AddRefund(gifts[1].ChargeId, 2500, at.AddDays(1));
        // A sale from the organisation's shop on the same account: not a gift, but in the same deposit.
        var shopCharge = app.Stripe.NextId("ch");
        app.Stripe.AddCharge(shopCharge, app.Stripe.NextId("pi"), 4000, "usd", fee: 146, at);
        await app.DeliverAndProcessAsync(gifts[0].CheckoutCompleted(), gifts[1].CheckoutCompleted(), gifts[1].Refunded(2500));
        await app.ReadStripeFeesAsync();
        var payout = app.Stripe.AddPayout(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero),
        [
            app.Stripe.TransactionOf(gifts[0].ChargeId), app.Stripe.TransactionOf(gifts[1].ChargeId),
            app.Stripe.TransactionOf((string)refund["id"]!), app.Stripe.TransactionOf(shopCharge),
        ]);
        await app.PayoutArrivesAsync(payout);
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var journal = Rows(await finance.GetStringAsync("/api/finance/journal.csv?from=2026-11-27&to=2026-11-28"));
        var payouts = Rows(await finance.GetStringAsync("/api/finance/payouts.csv"));

        // Bank: 100 + 25 + 40 − 25 − fees 5.69 = 134.31.
        Assert.Equal(134_31, payout["amount"]!.GetValue<long>());
        decimal Sum(string column) => journal.Sum(r => r[column] == "" ? 0m : decimal.Parse(r[column], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Sum("debit"), Sum("credit"));
        Assert.Equal(
            [
                ("2026-11-27", "Checking", "134.31", ""), ("2026-11-27", "Payment Processing Fees", "5.69", ""),
                ("2026-11-27", "Donation Refunds", "25.00", ""), ("2026-11-27", "Donations Revenue", "", "125.00"),
                ("2026-11-27", "Stripe Other Activity", "", "40.00"),
            ],
            journal.Select(r => (r["date"], r["account"], r["debit"], r["credit"])));
        Assert.All(journal, r => Assert.Equal((string)payout["id"]!, r["journal_no"]));
        var row = Assert.Single(payouts);
        Assert.Equal(((string)payout["id"]!, "2026-11-27", "usd", "165.00", "5.69", "25.00", "0.00", "134.31", "2", "1"),
            (row["payout_id"], row["arrival_date"], row["currency"], row["gross"], row["fees"], row["refunds"], row["disputes"], row["net"], row["gifts"], row["unmatched"]));
    }

    [Fact]
    public async Task A_dispute_withdrawn_and_reinstated_across_two_payouts_is_booked_with_its_fee_and_the_gift_ends_as_it_began()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 10000, Metadata: DonatePage());
        var at = DateTimeOffset.UtcNow.AddDays(-20);
        app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 10000, "usd", fee: 320, at);
        var shop = app.Stripe.NextId("ch");
        app.Stripe.AddCharge(shop, app.Stripe.NextId("pi"), 20000, "usd", fee: 610, at.AddDays(5));
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());
        var dispute = app.Stripe.AddDispute(gift.ChargeId, at.AddDays(5), reinstatedAt: at.AddDays(12));
        var (withdrawn, reinstated) = ((string)dispute["balance_transactions"]![0]!["id"]!, (string)dispute["balance_transactions"]![1]!["id"]!);
        // The gift's charge paid out first; then the withdrawal beside a shop sale; then the reinstatement.
        await app.PayoutArrivesAsync(app.Stripe.AddPayout(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), [app.Stripe.TransactionOf(gift.ChargeId)]));
        var second = app.Stripe.AddPayout(new DateTimeOffset(2026, 11, 9, 0, 0, 0, TimeSpan.Zero), [withdrawn, app.Stripe.TransactionOf(shop)]);
        var third = app.Stripe.AddPayout(new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero), [reinstated]);
        await app.PayoutArrivesAsync(second);
        await app.PayoutArrivesAsync(third);
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var payouts = Rows(await finance.GetStringAsync("/api/finance/payouts.csv")).ToDictionary(r => r["payout_id"]);
        // −$100 and the $15 fee beside a $200 sale ($6.10 fee): $78.90 reached the bank; then $115 came back.
        Assert.Equal(("78.90", "21.10", "100.00", "78.90"), (payouts[(string)second["id"]!]["net"], payouts[(string)second["id"]!]["fees"],
            payouts[(string)second["id"]!]["disputes"], (second["amount"]!.GetValue<long>() / 100m).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(("115.00", "-15.00", "-100.00"), (payouts[(string)third["id"]!]["net"], payouts[(string)third["id"]!]["fees"], payouts[(string)third["id"]!]["disputes"]));
        var journal = Rows(await finance.GetStringAsync("/api/finance/journal.csv?from=2026-11-09&to=2026-11-17"));
        Assert.Equal(
            [
                ("2026-11-09", "Checking", "78.90", ""), ("2026-11-09", "Payment Processing Fees", "21.10", ""),
                ("2026-11-09", "Donation Chargebacks", "100.00", ""), ("2026-11-09", "Stripe Other Activity", "", "200.00"),
                ("2026-11-16", "Checking", "115.00", ""), ("2026-11-16", "Payment Processing Fees", "", "15.00"),
                ("2026-11-16", "Donation Chargebacks", "", "100.00"),
            ],
            journal.Select(r => (r["date"], r["account"], r["debit"], r["credit"])));
        // The gift's own books: its fee, net of the dispute and its return, as Stripe has them.
        var row = Assert.Single(Rows(await finance.GetStringAsync("/api/finance/donations.csv")));
        Assert.Equal(("3.20", "96.80"), (row["fee_amount"], row["net_amount"]));
    }

    [Fact]
    public async Task A_payout_that_fails_after_it_was_paid_leaves_the_journal_and_the_payouts_export()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 10000, Metadata: DonatePage());
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 10000, "usd", fee: 320, at);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());
        var payout = app.Stripe.AddPayout(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero), [app.Stripe.TransactionOf(gift.ChargeId)]);
        await app.PayoutArrivesAsync(payout);
        var finance = await SignedInAsync(app, StaffRoles.Finance);
        Assert.Single(Rows(await finance.GetStringAsync("/api/finance/payouts.csv")));

        // The bank returned it: Stripe marks the payout failed and says so.
        var failed = payout.DeepClone().AsObject();
        failed["status"] = "failed";
        app.Stripe.Put(failed);
        await app.DeliverAndProcessAsync(PayoutPaid(failed, "payout.failed"));
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.StripePayouts.AnyAsync(p => p.Status == "failed")), TimeSpan.FromSeconds(30), "the payout to be read again");

        Assert.Empty(Rows(await finance.GetStringAsync("/api/finance/payouts.csv")));
        Assert.Empty(Rows(await finance.GetStringAsync("/api/finance/journal.csv")));
    }

    [Fact]
    public async Task Payouts_and_journal_exports_are_for_staff_only_and_refuse_a_backwards_range()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var anonymous = app.CreateClient();
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        foreach (var path in new[] { "/api/finance/payouts.csv", "/api/finance/journal.csv" })
        {
            var refused = await anonymous.GetAsync(path);
            Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await finance.GetAsync(path + "?from=2026-02-01&to=2026-01-01")).StatusCode);
            var empty = await finance.GetAsync(path);
            Assert.Equal("text/csv", empty.Content.Headers.ContentType!.MediaType);
        }
        Assert.Equal(0, await app.WithDbAsync(db => db.StripePayouts.CountAsync()));
    }
}
