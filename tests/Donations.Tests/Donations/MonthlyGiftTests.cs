using System.Text.Json.Nodes;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Donations;

public sealed class MonthlyGiftTests
{
    private static readonly string[] FirstMonthEvents = ["checkout", "subscription", "invoice"];

    public static IEnumerable<object[]> Providers() => [[DatabaseProvider.Sqlite], [DatabaseProvider.Postgres]];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Every_order_of_the_first_months_events_makes_one_donation_and_one_active_membership(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = provider);
        var orders = Permutations(FirstMonthEvents).ToList();
        Assert.Equal(6, orders.Count);
        var gifts = orders.Select((_, i) => new MonthlyGift(Amount: 2000 + i, Email: $"member{i}@example.org")).ToList();

        foreach (var (order, gift) in orders.Zip(gifts))
        {
            foreach (var step in order)
            {
                var json = step switch
                {
                    "checkout" => gift.CheckoutCompleted(),
                    "subscription" => gift.SubscriptionCreated(),
                    _ => gift.InvoicePaid(1),
                };
                // One at a time, so the events really are handled in this order.
                await app.DeliverAsync(json);
                await app.WaitForEventStatusAsync([StripeEventFactory.IdOf(json)],
                    StripeEventStatus.Processed, StripeEventStatus.Ignored, StripeEventStatus.Failed);
            }
        }
        // Events that waited for another are woken when it lands; on two loaded cores a wake-up and
        // its batch can take longer than the default wait, though far less than Hangfire's retries.
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.StripeEvents.AllAsync(e => e.Status == StripeEventStatus.Processed)),
            TimeSpan.FromSeconds(60), what: "every event to be processed");

        var donations = await app.WithDbAsync(db => db.Donations.Include(d => d.Membership).Include(d => d.Donor).ToListAsync());
        Assert.Equal(6, donations.Count);
        foreach (var gift in gifts)
        {
            var donation = Assert.Single(donations, d => d.SettlementKey == "in:" + gift.Month(1).InvoiceId);
            Assert.Equal(gift.Amount, donation.Amount);
            Assert.Equal(DonationFrequency.Monthly, donation.Frequency);
            Assert.Equal(DonationStatus.Succeeded, donation.Status);
            Assert.Equal(gift.Month(1).PaymentIntentId, donation.StripePaymentIntentId);
            Assert.Equal(gift.SessionId, donation.StripeCheckoutSessionId);
            Assert.Equal(gift.SubscriptionId, donation.StripeSubscriptionId);
            Assert.Equal(gift.CustomerId, donation.Donor!.StripeCustomerId);
            Assert.Equal("active", donation.Membership?.Status);
            Assert.Equal(gift.SubscriptionId, donation.Membership!.StripeSubscriptionId);
            Assert.Equal(gift.Amount, donation.Membership.MonthlyAmount);
            Assert.Equal("Supporter", donation.Membership.Tier);
        }
        Assert.Equal(6, await app.WithDbAsync(db => db.Memberships.CountAsync()));
    }

    [Fact]
    public async Task The_first_month_delivered_in_a_shuffled_burst_with_duplicates_is_still_one_donation()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        var gift = new MonthlyGift(Amount: 6000);
        var events = new[] { gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1) };
        var burst = Enumerable.Range(0, 4).SelectMany(_ => events).OrderBy(_ => Random.Shared.Next()).ToArray();

        await Task.WhenAll(burst.Select(json => app.PostWebhookAsync(json)));
        await app.WaitForEventsAsync(events);

        var donation = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal((6000L, DonationFrequency.Monthly), (donation.Amount, donation.Frequency));
        Assert.Equal(1, await app.WithDbAsync(db => db.Donors.CountAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.Memberships.CountAsync()));
    }

    [Fact]
    public async Task Each_renewal_is_its_own_donation_with_the_tiers_benefits_and_the_subscriptions_metadata()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift(Amount: 2000, Metadata: new Dictionary<string, string>
        {
            ["origin"] = "donate_page", ["frequency"] = "monthly", ["cover_fee"] = "true", ["fee_amount"] = "88", ["campaign"] = "members-drive", ["source"] = "newsletter",
        });

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1), gift.InvoicePaid(2), gift.InvoicePaid(3));

        var months = await app.WithDbAsync(db => db.Donations.OrderBy(d => d.ReceivedAt).ToListAsync());
        Assert.Equal([gift.Month(1).InvoiceId, gift.Month(2).InvoiceId, gift.Month(3).InvoiceId], months.Select(d => d.StripeInvoiceId));
        Assert.All(months, d =>
        {
            Assert.Equal(2000, d.Amount);
            Assert.Equal(DonationFrequency.Monthly, d.Frequency);
            Assert.Equal(200, d.BenefitsValue); // Supporter: $2.00 fair market value per monthly payment
            Assert.Equal("Quarterly print edition", d.BenefitsDescription);
            Assert.Equal((true, 88L, "members-drive", "newsletter"), (d.FeeCovered, d.FeeAmount, d.Campaign, d.Source));
            Assert.NotNull(d.MembershipId);
        });
        Assert.Equal(gift.MonthStart(2).ToUnixTimeSeconds(), new DateTimeOffset(months[1].ReceivedAt).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task An_invoice_without_its_payments_gets_the_payment_intent_from_the_invoice_payments_API()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift();
        var (invoiceId, paymentIntentId, _) = gift.Month(2);
        app.Stripe.On("GET", "/v1/invoice_payments", r => StripeReply.Ok(
            StripeEventFactory.List("/v1/invoice_payments",
                r.Query.Contains(invoiceId) ? [StripeEventFactory.InvoicePayment(invoiceId, paymentIntentId, gift.Amount, "usd", gift.MonthStart(2))] : [])));

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.InvoicePaid(2, includePayments: false));

        var renewal = await app.WithDbAsync(db => db.Donations.SingleAsync(d => d.StripeInvoiceId == invoiceId));
        Assert.Equal(paymentIntentId, renewal.StripePaymentIntentId);
        Assert.Contains(app.Stripe.RequestsTo("GET", "/v1/invoice_payments"), r => r.Query.Contains($"invoice={invoiceId}"));
    }

    [Fact]
    public async Task A_renewal_by_bank_debit_is_dated_when_the_debit_started_not_when_it_settled()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift { StartedAt = WholeSeconds(DateTimeOffset.UtcNow.AddMinutes(-10)) };
        var (invoiceId, paymentIntentId, _) = gift.Month(2);
        var started = gift.MonthStart(2);
        app.Stripe.On("GET", "/v1/invoice_payments", r => StripeReply.Ok(
            StripeEventFactory.List("/v1/invoice_payments",
                r.Query.Contains(invoiceId) ? [StripeEventFactory.InvoicePayment(invoiceId, paymentIntentId, gift.Amount, "usd", started)] : [])));
        // As a webhook carries it: no payments list, and paid when the debit settled four days on.
        var paid = JsonNode.Parse(gift.InvoicePaid(2, includePayments: false, created: started.AddDays(4)))!;
        paid["data"]!["object"]!["status_transitions"]!["paid_at"] = started.AddDays(4).ToUnixTimeSeconds();

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), paid.ToJsonString());

        var renewal = await app.WithDbAsync(db => db.Donations.SingleAsync(d => d.StripeInvoiceId == invoiceId));
        Assert.Equal(started.UtcDateTime, renewal.ReceivedAt);
    }

    [Fact]
    public async Task A_first_month_paid_by_bank_debit_keeps_the_Checkout_completion_date_when_its_invoice_says_it_settled_later()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift { StartedAt = WholeSeconds(DateTimeOffset.UtcNow.AddMinutes(-10)) };
        var completed = gift.StartedAt;
        // Subscription-mode Checkout: completed unpaid, the first invoice paid when the debit settled.
        var unpaid = JsonNode.Parse(gift.CheckoutCompleted(created: completed))!;
        unpaid["data"]!["object"]!["payment_status"] = "unpaid";
        var succeeded = JsonNode.Parse(gift.CheckoutCompleted(created: completed.AddDays(4)))!;
        succeeded["type"] = "checkout.session.async_payment_succeeded";
        var invoice = JsonNode.Parse(gift.InvoicePaid(1, created: completed.AddDays(4)))!;
        invoice["data"]!["object"]!["status_transitions"]!["paid_at"] = completed.AddDays(4).ToUnixTimeSeconds();
        invoice["data"]!["object"]!["payments"]!["data"]![0]!["created"] = completed.AddDays(4).ToUnixTimeSeconds();

        // The invoice first, then what Checkout says: the earlier date wins whatever the order.
        await app.DeliverAndProcessAsync(unpaid.ToJsonString(), invoice.ToJsonString());
        await app.DeliverAndProcessAsync(succeeded.ToJsonString());

        var first = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal(completed.UtcDateTime, first.ReceivedAt);
    }

    [Fact]
    public async Task A_gift_whose_date_moves_back_into_the_year_before_has_its_benefits_judged_by_that_years_limits_and_its_receipt_corrected()
    {
        // $600 a month with $11.50 of goods a month: 2% of each payment, and $138 a year is within
        // 2026's $139 cap but over 2025's $136.
        await using var app = await DonationsApp.StartAsync(o =>
        {
            // The top tier, from $50 a month.
            o.Settings["Memberships:Tiers:2:Benefits"] = "The year's reporting, bound";
            o.Settings["Memberships:Tiers:2:BenefitsFairMarketValue"] = "11.50";
        });
        // Completed at 3 pm in New York on 31 December 2025; the debit settled on 4 January.
        var completed = new DateTimeOffset(2025, 12, 31, 20, 0, 0, TimeSpan.Zero);
        var gift = new MonthlyGift(Amount: 60000) { StartedAt = completed };
        var unpaid = JsonNode.Parse(gift.CheckoutCompleted(created: completed))!;
        unpaid["data"]!["object"]!["payment_status"] = "unpaid";
        var succeeded = JsonNode.Parse(gift.CheckoutCompleted(created: completed.AddDays(4)))!;
        succeeded["type"] = "checkout.session.async_payment_succeeded";
        var invoice = JsonNode.Parse(gift.InvoicePaid(1, created: completed.AddDays(4)))!;
        invoice["data"]!["object"]!["status_transitions"]!["paid_at"] = completed.AddDays(4).ToUnixTimeSeconds();
        invoice["data"]!["object"]!["payments"]!["data"]![0]!["created"] = completed.AddDays(4).ToUnixTimeSeconds();

        await app.DeliverAndProcessAsync(unpaid.ToJsonString(), invoice.ToJsonString());
        var judgedIn2026 = await app.WithDbAsync(db => db.Donations.SingleAsync());
        await app.WaitForIdleJobsAsync();
        await app.DeliverAndProcessAsync(succeeded.ToJsonString());
        var judgedIn2025 = await app.WithDbAsync(db => db.Donations.SingleAsync());
        await app.WaitForIdleJobsAsync();

        Assert.Equal((2026, 1150L, BenefitsTreatment.Insubstantial), (judgedIn2026.ReceivedAt.Year, judgedIn2026.BenefitsValue, judgedIn2026.BenefitsTreatment));
        Assert.Equal((completed.UtcDateTime, BenefitsTreatment.Deducted), (judgedIn2025.ReceivedAt, judgedIn2025.BenefitsTreatment));
        // The receipt sent as fully deductible is corrected: the same $600, $588.50 deductible.
        var receipts = await app.WithDbAsync(db => db.Receipts.OrderBy(r => r.Id).ToListAsync());
        Assert.Equal([(ReceiptKind.Original, ReceiptStatus.Voided, 60000L, 60000L), (ReceiptKind.Correction, ReceiptStatus.Sent, 60000L, 58850L)],
            receipts.Select(r => (r.Kind, r.Status, r.Amount, r.DeductibleAmount)));
        // It says why: nothing was refunded, the deductible part was determined again.
        var correction = app.OutboxMessages().Single(m => m.Headers["X-Receipt-Number"] == receipts[1].Number);
        Assert.Contains("Nothing was refunded", correction.TextBody);
        Assert.DoesNotContain("was refunded;", correction.TextBody);
    }

    // Stripe's times are whole seconds.
    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());

    [Fact]
    public async Task A_gift_in_another_currency_gets_no_tier_benefits()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift(Amount: 6000, Currency: "eur");

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.InvoicePaid(1));

        var donation = await app.WithDbAsync(db => db.Donations.SingleAsync());
        Assert.Equal((0L, (string?)null), (donation.BenefitsValue, donation.BenefitsDescription));
    }

    [Fact]
    public async Task A_free_invoice_is_not_a_donation()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift();
        var free = JsonNode.Parse(gift.InvoicePaid(2))!;
        free["data"]!["object"]!["amount_paid"] = 0;

        await app.DeliverAndProcessAsync(free.ToJsonString());

        Assert.Equal(StripeEventStatus.Ignored, await app.WithDbAsync(db => db.StripeEvents.Select(e => e.Status).SingleAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Donations.CountAsync()));
    }

    private static IEnumerable<string[]> Permutations(string[] items) => items.Length <= 1
        ? [items]
        : items.SelectMany((item, i) => Permutations([.. items[..i], .. items[(i + 1)..]]).Select(rest => (string[])[item, .. rest]));
}
