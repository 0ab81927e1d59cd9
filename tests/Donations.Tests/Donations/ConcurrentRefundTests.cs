using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Donations;

/// <summary>Events of one payment processed at the same moment never overwrite each other's effects.</summary>
public sealed class ConcurrentRefundTests
{
    [Fact]
    public async Task Refunds_of_one_charge_woken_together_on_PostgreSQL_end_with_the_largest_total_and_a_voided_receipt()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.Settings["Hangfire:WorkerCount"] = "8";
        });
        var gift = new OneTimeGift(Amount: 8000, Email: "parallel@example.org");
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.Receipts.AnyAsync(r => r.Status == ReceiptStatus.Sent)), what: "the receipt");

        // Eight partial refunds, the last one full, each saying the charge's running total.
        var refunds = Enumerable.Range(1, 8).Select(i => gift.Refunded(1000L * i)).ToArray();
        await Task.WhenAll(refunds.Select(r => app.DeliverAsync(r)));
        await app.WaitForEventsAsync(refunds);

        var donation = await app.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());
        Assert.Equal((DonationStatus.Refunded, 8000L), (donation.Status, donation.RefundedAmount));
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.Receipts.AnyAsync(r => r.Kind == ReceiptKind.VoidNotice && r.Status == ReceiptStatus.Sent)),
            TimeSpan.FromSeconds(30), "the void notice");
        var receipts = await app.WithDbAsync(db => db.Receipts.AsNoTracking().OrderBy(r => r.Sequence).ToListAsync());
        // A partial refund seen on its own may have corrected the receipt first; in the end nothing stands.
        Assert.Equal(ReceiptKind.VoidNotice, receipts[^1].Kind);
        Assert.All(receipts.Where(r => r.Kind != ReceiptKind.VoidNotice), r => Assert.Equal(ReceiptStatus.Voided, r.Status));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_donation_saved_by_someone_else_since_it_was_read_refuses_the_stale_save(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = provider; o.HangfireServer = false; });
        var gift = new OneTimeGift(Amount: 5000);
        await app.WithDbAsync(async db =>
        {
            db.Donations.Add(new Donation
            {
                SettlementKey = "pi:" + gift.PaymentIntentId, Donor = new Donor { Email = "race@example.org", CreatedAt = DateTime.UtcNow },
                Amount = 5000, Currency = "usd", ReceivedAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        });
        await using var first = app.Services.CreateAsyncScope();
        await using var second = app.Services.CreateAsyncScope();
        var a = await first.ServiceProvider.GetRequiredService<DonationsDbContext>().Donations.SingleAsync();
        var b = await second.ServiceProvider.GetRequiredService<DonationsDbContext>().Donations.SingleAsync();

        a.ChargeRefundedAmount = 5000;
        await first.ServiceProvider.GetRequiredService<DonationsDbContext>().SaveChangesAsync();
        b.ChargeRefundedAmount = 1000;

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.ServiceProvider.GetRequiredService<DonationsDbContext>().SaveChangesAsync());
        Assert.Equal(5000, (await app.WithDbAsync(db => db.Donations.SingleAsync())).ChargeRefundedAmount);
    }
}
