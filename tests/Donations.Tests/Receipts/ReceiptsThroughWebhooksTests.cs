using Donations.Tests.Infrastructure;

namespace Donations.Tests.Receipts;

/// <summary>
/// Gifts paid, refunded and disputed through signed Stripe webhooks, all at once and in no
/// particular order, as an outside checker drives the service: every gift gets one receipt,
/// numbers run without gaps, and refunds and lost disputes bring the right follow-up.
/// </summary>
public sealed class ReceiptsThroughWebhooksTests(ReceiptsApp fixture) : IClassFixture<ReceiptsApp>
{
    [Fact]
    public async Task Every_gift_gets_one_receipt_with_gapless_numbers_and_refunds_and_lost_disputes_follow_up()
    {
        var app = fixture.App;
        var kept = new OneTimeGift(Amount: 2500, Email: "kept@example.org");
        var partly = new OneTimeGift(Amount: 10000, Email: "partly@example.org");
        var refunded = new OneTimeGift(Amount: 3000, Email: "refunded@example.org");
        var disputed = new OneTimeGift(Amount: 4000, Email: "disputed@example.org");
        var yen = new OneTimeGift(Amount: 5000, Currency: "jpy", Email: "yen@example.org");
        var monthly = new MonthlyGift(Amount: 2000, Email: "monthly@example.org");

        await app.DeliverAsync(
            kept.CheckoutCompleted(), partly.CheckoutCompleted(), refunded.CheckoutCompleted(), disputed.CheckoutCompleted(),
            yen.CheckoutCompleted(), monthly.CheckoutCompleted(), monthly.InvoicePaid(1), monthly.InvoicePaid(2),
            partly.Refunded(4000), refunded.Refunded(3000),
            disputed.Dispute("charge.dispute.created", "needs_response"), disputed.Dispute("charge.dispute.closed", "lost"));

        var keptMail = await fixture.MailToAsync("kept@example.org");
        var partlyMail = await fixture.MailToAsync("partly@example.org", 2);
        var refundedMail = await fixture.MailToAsync("refunded@example.org", 2);
        var disputedMail = await fixture.MailToAsync("disputed@example.org", 2);
        var yenMail = await fixture.MailToAsync("yen@example.org");
        var monthlyMail = await fixture.MailToAsync("monthly@example.org", 2);
        await app.WaitForIdleJobsAsync();

        Assert.Single(fixture.To("kept@example.org"));
        keptMail[0].AssertSaysEverywhere("$25.00 USD", "One-time gift", "No goods or services were provided in exchange for this contribution.");
        Assert.Equal(2, fixture.To("partly@example.org").Count);
        partlyMail[0].AssertSaysEverywhere("Amount: $100.00 USD");
        partlyMail[1].AssertSaysEverywhere("Corrected donation receipt", "replaces receipt " + partlyMail[0].Number, "Amount: $60.00 USD");
        Assert.Equal(2, fixture.To("refunded@example.org").Count);
        Assert.Contains($"Receipt {refundedMail[0].Number} is therefore void", refundedMail[1].Text);
        Assert.Equal(2, fixture.To("disputed@example.org").Count);
        Assert.Contains("reversed through a payment dispute", disputedMail[1].Text);
        yenMail[0].AssertSaysEverywhere("¥5,000 JPY");
        Assert.Equal(2, fixture.To("monthly@example.org").Count);
        Assert.All(monthlyMail, m => m.AssertSaysEverywhere("Monthly gift", "$20.00 USD"));

        // Receipts, corrections and void notices share one sequence a year: 10 documents, numbered
        // 1 to 10 (in December the monthly gift's second payment, a month on, starts the next year's).
        GaplessNumbers.AssertPerYear(fixture.Smtp.Messages.Select(m => ReceiptEmail.From(m).Number), 10);
    }
}
