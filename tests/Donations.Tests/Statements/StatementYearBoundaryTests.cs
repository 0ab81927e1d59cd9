using Donations.Tests.Infrastructure;

namespace Donations.Tests.Statements;

/// <summary>Which year's statement a gift lands on when its payment settles after New Year.</summary>
public sealed class StatementYearBoundaryTests
{
    [Fact]
    public async Task Bank_debit_started_on_30_December_and_settled_on_3_January_is_on_the_old_years_statement()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 7500, Email: "debit-statement@example.org") { PaidAt = new DateTimeOffset(2025, 12, 30, 17, 2, 0, TimeSpan.Zero) };
        await app.DeliverAsync(
            gift.CheckoutCompleted(paymentStatus: "unpaid"),
            gift.CheckoutCompleted(created: new DateTimeOffset(2026, 1, 3, 15, 0, 0, TimeSpan.Zero), type: "checkout.session.async_payment_succeeded"));
        await Wait.UntilAsync(() => app.WithDbAsync(db => Task.FromResult(db.Donations.Any(d => d.StripePaymentIntentId == gift.PaymentIntentId))),
            TimeSpan.FromSeconds(30), "the settled debit recorded");

        var old = await app.RunStatementsAsync(2025);
        var next = await app.RunStatementsAsync(2026);

        Assert.Equal((1, 1), (old.DonorsTotal, old.Sent));
        Assert.Equal(0, next.Sent);
        var statement = Assert.Single(app.Statements());
        foreach (var reading in statement.Readings())
        {
            Assert.Contains("Year-end giving statement for 2025", reading);
            Assert.Contains("2025-12-30", reading);
            Assert.Contains("Total contributions: $75.00 USD", reading);
            Assert.DoesNotContain("2026-01-03", reading);
        }
    }
}
