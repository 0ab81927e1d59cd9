using System.Net;
using System.Net.Http.Json;
using Donations.Api.Features.Finance;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Donations.Tests.Finance.FinanceBooks;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Finance;

public sealed class DriftReportTests
{
    [Fact]
    public async Task A_charge_never_delivered_and_older_than_the_Events_API_shows_as_drift_and_the_Admin_replay_records_the_gift()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Settings["Observability:PrometheusEndpoint"] = "/metrics";
            o.Settings["Observability:ManagementUrl"] = $"http://127.0.0.1:{Operations.MetricsTests.ManagementPort}";
        });
        var threeHoursAgo = DateTimeOffset.UtcNow.AddHours(-3);
        // Delivered and recorded: not drift.
        var delivered = new OneTimeGift(Amount: 2000, Metadata: DonatePage()) { PaidAt = threeHoursAgo };
        app.Stripe.AddCharge(delivered.ChargeId, delivered.PaymentIntentId, 2000, "usd", fee: 88, threeHoursAgo);
        await app.DeliverAndProcessAsync(delivered.CheckoutCompleted());
        // Paid 45 days ago; its webhook never came, and the Events API keeps only 30 days.
        var missedAt = DateTimeOffset.UtcNow.AddDays(-45);
        var missed = new OneTimeGift(Amount: 7500, Email: "missed@example.org", Metadata: DonatePage(campaign: "autumn")) { PaidAt = missedAt };
        app.Stripe.AddCharge(missed.ChargeId, missed.PaymentIntentId, 7500, "usd", fee: 248, missedAt, missed.Metadata);
        app.Stripe.Put(StripeEventFactory.CheckoutSession(missed.SessionId, "payment", 7500, "usd", missed.Email, "Missed Donor", null,
            missed.PaymentIntentId, null, null, "paid", missed.Metadata, missedAt.AddMinutes(-2)));
        // A shop sale on the same account: not a gift, so not drift.
        app.Stripe.AddCharge(app.Stripe.NextId("ch"), app.Stripe.NextId("pi"), 3900, "usd", fee: 143, missedAt);
        var admin = await SignedInAsync(app, StaffRoles.Admin);
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        Assert.Equal(HttpStatusCode.Forbidden, (await PostApiAsync(finance, "/api/finance/drift/run")).StatusCode);
        await RunDriftAsync(app, admin);
        var drift = Rows(await finance.GetStringAsync("/api/finance/drift.csv"));

        var item = Assert.Single(drift);
        Assert.Equal((DriftKinds.MissingGift, missed.ChargeId, ""), (item["kind"], item["stripe_object"], item["donation_id"]));
        Assert.Contains("75.00 USD", item["detail"]);
        var metrics = await Operations.MetricsTests.ScrapeOnManagementListenerAsync(app);
        Assert.Matches(@"donations_finance_drift_items\{[^}]*kind=""missing_gift""[^}]*\} 1\b", metrics);

        var page = await admin.GetStringAsync("/staff/revenue");
        Assert.Contains("<strong>1 difference</strong>", page);
        Assert.Contains($"<a href=\"https://dashboard.stripe.com/payments/{missed.ChargeId}\"><code>{missed.ChargeId}</code></a>", page);
        Assert.Contains("<button type=\"submit\">Replay</button>", page);

        var itemId = await app.WithDbAsync(db => db.DriftItems.Where(i => i.StripeObject == missed.ChargeId).Select(i => i.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await PostApiAsync(finance, $"/api/finance/drift/{itemId}/replay")).StatusCode);
        var replay = await PostApiAsync(admin, $"/api/finance/drift/{itemId}/replay");
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var eventId = (await replay.Content.ReadFromJsonAsync<DriftApi.Replayed>())!.EventId;
        await app.WaitForEventStatusAsync([eventId], StripeEventStatus.Processed);

        var gift = await app.WithDbAsync(db => db.Donations.SingleAsync(d => d.StripePaymentIntentId == missed.PaymentIntentId));
        Assert.Equal((7500L, "autumn", "replay"), (gift.Amount, gift.Campaign, await app.WithDbAsync(db => db.StripeEvents.Where(e => e.Id == eventId).Select(e => e.Source).SingleAsync())));
        Assert.Equal(missedAt.ToUnixTimeSeconds(), new DateTimeOffset(gift.ReceivedAt).ToUnixTimeSeconds());
        Assert.Equal(HttpStatusCode.Accepted, (await PostApiAsync(admin, $"/api/finance/drift/{itemId}/replay")).StatusCode); // harmless twice
        Assert.Equal(1, await app.WithDbAsync(db => db.Donations.CountAsync(d => d.StripePaymentIntentId == missed.PaymentIntentId)));

        await RunDriftAsync(app, admin);
        Assert.Empty(Rows(await finance.GetStringAsync("/api/finance/drift.csv")));
        Assert.Contains("<strong>0 differences</strong> — the books agree with Stripe.", await finance.GetStringAsync("/staff/revenue"));
    }

    [Fact]
    public async Task A_missed_refund_a_gift_Stripe_never_charged_and_a_short_payout_each_show_as_drift()
    {
        await using var app = await DonationsApp.StartAsync();
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        var refunded = new OneTimeGift(Amount: 5000, Metadata: DonatePage()) { PaidAt = at };
        var phantom = new OneTimeGift(Amount: 1200, Email: "phantom@example.org", Metadata: DonatePage()) { PaidAt = at };
        app.Stripe.AddCharge(refunded.ChargeId, refunded.PaymentIntentId, 5000, "usd", fee: 175, at);
        await app.DeliverAndProcessAsync(refunded.CheckoutCompleted(), phantom.CheckoutCompleted());
        app.Stripe.AddRefund(refunded.ChargeId, 2000, at.AddMinutes(30)); // refunded in Stripe; charge.refunded never arrived
        var payout = app.Stripe.AddPayout(DateTimeOffset.UtcNow.Date, [app.Stripe.TransactionOf(refunded.ChargeId)], shortBy: 500);
        var admin = await SignedInAsync(app, StaffRoles.Admin);

        await RunDriftAsync(app, admin);
        var drift = Rows(await admin.GetStringAsync("/api/finance/drift.csv")).ToDictionary(r => r["kind"]);

        var ids = await app.WithDbAsync(db => db.Donations.ToDictionaryAsync(d => d.StripePaymentIntentId!, d => d.Id.ToString()));
        Assert.Equal([DriftKinds.GiftWithoutPayment, DriftKinds.PayoutMismatch, DriftKinds.RefundMismatch], drift.Keys.Order());
        Assert.Equal((refunded.ChargeId, ids[refunded.PaymentIntentId]), (drift[DriftKinds.RefundMismatch]["stripe_object"], drift[DriftKinds.RefundMismatch]["donation_id"]));
        Assert.Contains("Stripe has refunded 20.00; the gift says 0.00", drift[DriftKinds.RefundMismatch]["detail"]);
        Assert.Equal((phantom.PaymentIntentId, ids[phantom.PaymentIntentId]), (drift[DriftKinds.GiftWithoutPayment]["stripe_object"], drift[DriftKinds.GiftWithoutPayment]["donation_id"]));
        Assert.Equal((string)payout["id"]!, drift[DriftKinds.PayoutMismatch]["stripe_object"]);
        Assert.Contains("Payout of 43.25 USD; its listed transactions add up to 48.25", drift[DriftKinds.PayoutMismatch]["detail"]);

        var wrongKind = await app.WithDbAsync(db => db.DriftItems.Where(i => i.Kind == DriftKinds.RefundMismatch).Select(i => i.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await PostApiAsync(admin, $"/api/finance/drift/{wrongKind}/replay")).StatusCode);
    }

    [Fact]
    public async Task A_payout_that_agrees_with_itself_but_pays_out_a_gift_at_another_amount_than_the_books_show_as_drift()
    {
        await using var app = await DonationsApp.StartAsync();
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        var gift = new OneTimeGift(Amount: 10000, Metadata: DonatePage()) { PaidAt = at };
        var agrees = new OneTimeGift(Amount: 2500, Email: "agrees@example.org", Metadata: DonatePage()) { PaidAt = at };
        // Stripe charged $120 where the books recorded the $100 the checkout event said.
        app.Stripe.AddCharge(gift.ChargeId, gift.PaymentIntentId, 12000, "usd", fee: 378, at);
        app.Stripe.AddCharge(agrees.ChargeId, agrees.PaymentIntentId, 2500, "usd", fee: 103, at);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), agrees.CheckoutCompleted());
        var payout = app.Stripe.AddPayout(DateTimeOffset.UtcNow.Date, [app.Stripe.TransactionOf(gift.ChargeId), app.Stripe.TransactionOf(agrees.ChargeId)]);
        var admin = await SignedInAsync(app, StaffRoles.Admin);

        await RunDriftAsync(app, admin);
        var drift = Rows(await admin.GetStringAsync("/api/finance/drift.csv"));

        var giftId = await app.WithDbAsync(db => db.Donations.Where(d => d.StripePaymentIntentId == gift.PaymentIntentId).Select(d => d.Id.ToString()).SingleAsync());
        var mismatch = Assert.Single(drift, r => r["kind"] == DriftKinds.PayoutMismatch);
        Assert.Equal(((string)payout["id"]!, giftId), (mismatch["stripe_object"], mismatch["donation_id"]));
        Assert.Contains("paid out 120.00 USD for this gift; the books record 100.00", mismatch["detail"]);
        // The charges walk sees the same gift's amount from the charge's side.
        Assert.Contains(drift, r => r["kind"] == DriftKinds.AmountMismatch && r["donation_id"] == giftId);
        Assert.DoesNotContain(drift, r => r["donation_id"] != giftId && r["donation_id"] != "");
    }

    [Fact]
    public async Task A_dispute_Stripe_has_as_won_or_lost_that_the_books_have_otherwise_shows_as_drift_and_one_that_agrees_does_not()
    {
        await using var app = await DonationsApp.StartAsync();
        var at = DateTimeOffset.UtcNow.AddDays(-5);
        OneTimeGift Gift(long amount, string email) => new(Amount: amount, Email: email, Metadata: DonatePage()) { PaidAt = at };
        var (wonInStripe, lostInStripe, partlyLost, agreed) =
            (Gift(4000, "won@example.org"), Gift(3000, "lost@example.org"), Gift(6000, "partly@example.org"), Gift(2500, "agreed@example.org"));
        foreach (var g in new[] { wonInStripe, lostInStripe, partlyLost, agreed })
        {
            app.Stripe.AddCharge(g.ChargeId, g.PaymentIntentId, g.Amount, "usd", fee: 100, at);
            app.Stripe.Object(g.ChargeId)["disputed"] = true;
            await app.DeliverAndProcessAsync(g.CheckoutCompleted());
        }
        // What the books were told: each charge disputed, then a decision for some (the later webhooks never came).
        await app.DeliverAndProcessAsync(
            wonInStripe.Dispute("charge.dispute.closed", "lost"), lostInStripe.Dispute("charge.dispute.created", "needs_response"),
            partlyLost.Dispute("charge.dispute.closed", "lost", amount: 6000), agreed.Dispute("charge.dispute.closed", "lost"));
        // What Stripe has now.
        DisputeInStripe(app, wonInStripe, "won", wonInStripe.Amount);
        DisputeInStripe(app, lostInStripe, "lost", lostInStripe.Amount);
        DisputeInStripe(app, partlyLost, "lost", 2000);
        DisputeInStripe(app, agreed, "lost", agreed.Amount);
        var admin = await SignedInAsync(app, StaffRoles.Admin);

        await RunDriftAsync(app, admin);
        var drift = Rows(await admin.GetStringAsync("/api/finance/drift.csv"));

        var ids = await app.WithDbAsync(db => db.Donations.ToDictionaryAsync(d => d.StripeChargeId!, d => d.Id.ToString()));
        Assert.All(drift, d => Assert.Equal(DriftKinds.DisputeMismatch, d["kind"]));
        Assert.Equal(new[] { wonInStripe.ChargeId, lostInStripe.ChargeId, partlyLost.ChargeId }.Order(), drift.Select(d => d["stripe_object"]).Order());
        var byCharge = drift.ToDictionary(d => d["stripe_object"]);
        Assert.Equal(ids[wonInStripe.ChargeId], byCharge[wonInStripe.ChargeId]["donation_id"]);
        Assert.Contains($"Stripe has dispute {wonInStripe.DisputeId} won (40.00 USD); the books have it lost.", byCharge[wonInStripe.ChargeId]["detail"]);
        Assert.Contains($"Stripe has dispute {lostInStripe.DisputeId} lost (30.00 USD); the books have it needs_response.", byCharge[lostInStripe.ChargeId]["detail"]);
        Assert.Contains($"Stripe's lost dispute {partlyLost.DisputeId} takes 20.00 off the gift; the books take 60.00.", byCharge[partlyLost.ChargeId]["detail"]);
    }

    private static void DisputeInStripe(DonationsApp app, OneTimeGift gift, string status, long amount) =>
        app.Stripe.Put(StripeEventFactory.Dispute(gift.DisputeId, gift.ChargeId, gift.PaymentIntentId, amount, gift.Currency, status, gift.PaidAt.AddDays(1)));

    private static async Task RunDriftAsync(DonationsApp app, HttpClient admin)
    {
        var before = await app.WithDbAsync(db => db.DriftReports.CountAsync(r => r.FinishedAt != null));
        Assert.Equal(HttpStatusCode.Accepted, (await PostApiAsync(admin, "/api/finance/drift/run")).StatusCode);
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.DriftReports.CountAsync(r => r.FinishedAt != null)).ContinueWith(t => t.Result > before),
            TimeSpan.FromSeconds(30), "the drift report");
        Assert.Null(await app.WithDbAsync(db => db.DriftReports.OrderByDescending(r => r.Id).Select(r => r.Error).FirstAsync()));
    }
}
