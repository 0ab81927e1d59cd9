using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Donations;

/// <summary>endive's dispute lifecycle: open → won/lost → appeal → won/lost.</summary>
public sealed class DisputeAppealTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_lost_dispute_won_on_appeal_is_a_gift_again_with_one_reinstated_receipt(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = provider);
        var gift = new OneTimeGift(Amount: 4000, Email: "appeal@example.org");
        var opened = DateTimeOffset.UtcNow.AddDays(-20);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());
        await ReceiptsSentAsync(app, 1);

        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.created", "needs_response", created: opened),
            gift.Dispute("charge.dispute.closed", "lost", created: opened.AddDays(7)));
        Assert.Equal((DonationStatus.Refunded, 4000L, "lost"), await StateAsync(app));
        await ReceiptsSentAsync(app, 2); // the void notice

        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.updated", "appeal_needs_response", created: opened.AddDays(8)));
        Assert.Equal((DonationStatus.Disputed, 4000L, "appeal_needs_response"), await StateAsync(app));
        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.updated", "appeal_under_review", created: opened.AddDays(9)));
        Assert.Equal((DonationStatus.Disputed, 4000L, "appeal_under_review"), await StateAsync(app));

        var won = opened.AddDays(12);
        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.closed", "won", created: won),
            gift.Dispute("charge.dispute.funds_reinstated", "won", created: won),
            gift.Dispute("charge.dispute.updated", "appeal_under_review", created: opened.AddDays(9)), // a late copy
            gift.Dispute("charge.dispute.closed", "lost", created: opened.AddDays(7))); // and an older one
        Assert.Equal((DonationStatus.Succeeded, 0L, "won"), await StateAsync(app));

        await ReceiptsSentAsync(app, 3);
        var receipts = await app.WithDbAsync(db => db.Receipts.AsNoTracking().OrderBy(r => r.Sequence).ToListAsync());
        Assert.Equal([ReceiptKind.Original, ReceiptKind.VoidNotice, ReceiptKind.Reinstatement], receipts.Select(r => r.Kind));
        var (original, reinstated) = (receipts[0], receipts[2]);
        Assert.Equal((ReceiptStatus.Voided, original.Id, 4000L, 4000L),
            (original.Status, reinstated.ReplacesReceiptId!.Value, reinstated.Amount, reinstated.DeductibleAmount));
        var mail = app.OutboxMessages().Single(m => m.Headers["X-Receipt-Number"] == reinstated.Number);
        Assert.Equal($"Reinstated donation receipt {reinstated.Number} (reinstates {original.Number}) from Example Journal", mail.Subject);
        Assert.Contains($"This receipt reinstates receipt {original.Number}", mail.TextBody);
    }

    [Fact]
    public async Task A_dispute_lost_again_after_appeal_stays_refunded_with_no_new_receipt()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 2500);
        var opened = DateTimeOffset.UtcNow.AddDays(-20);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(),
            gift.Dispute("charge.dispute.closed", "lost", created: opened),
            gift.Dispute("charge.dispute.updated", "appeal_under_review", created: opened.AddDays(2)),
            gift.Dispute("charge.dispute.closed", "lost", created: opened.AddDays(5)));

        Assert.Equal((DonationStatus.Refunded, 2500L, "lost"), await StateAsync(app));
        await ReceiptsSentAsync(app, 2);
        Assert.DoesNotContain(await app.WithDbAsync(db => db.Receipts.Select(r => r.Kind).ToListAsync()), k => k == ReceiptKind.Reinstatement);
    }

    private static async Task<(DonationStatus, long, string?)> StateAsync(DonationsApp app)
    {
        var d = await app.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync());
        return (d.Status, d.RefundedAmount, d.DisputeStatus);
    }

    private static Task ReceiptsSentAsync(DonationsApp app, int count) =>
        Wait.UntilAsync(() => app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status != ReceiptStatus.Pending)).ContinueWith(t => t.Result >= count),
            TimeSpan.FromSeconds(30), $"{count} receipts delivered");
}
