using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Donations;

public sealed class RefundAndDisputeTests
{
    [Fact]
    public async Task A_partial_then_a_full_refund_leave_the_gift_refunded_whatever_order_they_are_processed_in()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 5000);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());

        await app.DeliverAndProcessAsync(gift.Refunded(1500));
        var partly = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.PartiallyRefunded, 1500L), (partly.Status, partly.RefundedAmount));

        await app.DeliverAndProcessAsync(gift.Refunded(5000));
        await app.DeliverAndProcessAsync(gift.Refunded(1500)); // a late copy of the partial refund
        var whole = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.Refunded, 5000L), (whole.Status, whole.RefundedAmount));
        Assert.Equal(gift.ChargeId, whole.StripeChargeId);
    }

    [Fact]
    public async Task A_refund_that_arrives_before_its_checkout_event_waits_for_the_gift_and_is_then_applied()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 2500);
        var refund = gift.Refunded(2500);

        await app.DeliverAsync(refund);
        await app.WaitForEventStatusAsync([StripeEventFactory.IdOf(refund)], StripeEventStatus.Failed);
        var waiting = await app.WithDbAsync(db => db.StripeEvents.SingleAsync());
        Assert.StartsWith("Waiting for the donation paid by " + gift.PaymentIntentId, waiting.Error);

        // Hangfire's next retry of the waiting refund is put an hour away: from here on only the
        // wake-up that processing the payment gives can apply it within the test.
        var retry = await PostponeRetryAsync(app, StripeEventFactory.IdOf(refund), TimeSpan.FromHours(1));
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());
        await app.WaitForEventsAsync(refund);

        var monitor = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        Assert.Equal(ScheduledState.StateName, monitor.JobDetails(retry).History.OrderByDescending(h => h.CreatedAt).First().StateName);
        var donation = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.Refunded, 2500L), (donation.Status, donation.RefundedAmount));
    }

    [Fact]
    public async Task A_won_dispute_marks_the_gift_disputed_and_then_restores_it()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 4000);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());

        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.created", "needs_response"));
        var open = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.Disputed, "needs_response", gift.DisputeId), (open.Status, open.DisputeStatus, open.StripeDisputeId));

        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.closed", "won"));
        var won = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.Succeeded, 0L, "won"), (won.Status, won.RefundedAmount, won.DisputeStatus));
    }

    [Fact]
    public async Task A_lost_dispute_counts_as_a_refund_once_even_when_events_repeat_or_come_late()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 4000);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.Dispute("charge.dispute.created", "needs_response"));

        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.closed", "lost"));
        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.closed", "lost")); // Stripe may send another copy
        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.created", "needs_response")); // a late, stale one

        var lost = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.Refunded, 4000L, "lost"), (lost.Status, lost.RefundedAmount, lost.DisputeStatus));
    }

    [Fact]
    public async Task A_lost_dispute_of_the_rest_of_a_partly_refunded_gift_refunds_it_fully()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 4000);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.Refunded(1000));

        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.closed", "lost", amount: 3000));

        var donation = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.Refunded, 4000L), (donation.Status, donation.RefundedAmount));
    }

    [Fact]
    public async Task A_refund_learnt_after_a_lost_dispute_is_not_swallowed_and_the_won_appeal_gives_back_only_the_dispute()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 10000);
        var opened = DateTimeOffset.UtcNow.AddDays(-20);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(),
            gift.Dispute("charge.dispute.closed", "lost", amount: 8000, created: opened));
        var lost = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.PartiallyRefunded, 8000L), (lost.Status, lost.RefundedAmount));

        // The $20 refund made before the dispute is processed only now: both are taken back.
        await app.DeliverAndProcessAsync(gift.Refunded(2000));
        var both = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.Refunded, 10000L, 2000L, 8000L),
            (both.Status, both.RefundedAmount, both.ChargeRefundedAmount, both.LostDisputeAmount));

        // Won on appeal: the dispute's $80 comes back, the refund's $20 does not.
        await app.DeliverAndProcessAsync(gift.Dispute("charge.dispute.closed", "won", amount: 8000, created: opened.AddDays(9)));
        var appealed = await SingleDonationAsync(app);
        Assert.Equal((DonationStatus.PartiallyRefunded, 2000L, 0L), (appealed.Status, appealed.RefundedAmount, appealed.LostDisputeAmount));
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.Receipts.AnyAsync(r =>
                r.Status == ReceiptStatus.Sent && r.Kind != ReceiptKind.VoidNotice && r.Amount == 8000)),
            TimeSpan.FromSeconds(30), "a receipt for the $80 that remains given");
    }

    [Fact]
    public async Task A_refund_of_a_monthly_payment_finds_its_invoice_through_the_payment_intent()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new MonthlyGift(Amount: 2000);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.InvoicePaid(1), gift.InvoicePaid(2));

        await app.DeliverAndProcessAsync(gift.Refunded(2, 500));

        var months = await app.WithDbAsync(db => db.Donations.OrderBy(d => d.ReceivedAt).ToListAsync());
        Assert.Equal([DonationStatus.Succeeded, DonationStatus.PartiallyRefunded], months.Select(d => d.Status));
        Assert.Equal(500, months[1].RefundedAmount);
    }

    private static Task<Donation> SingleDonationAsync(DonationsApp app) => app.WithDbAsync(db => db.Donations.SingleAsync());

    /// <summary>Moves the event's scheduled Hangfire retry this far away; returns the job's id.</summary>
    private static async Task<string> PostponeRetryAsync(DonationsApp app, string eventId, TimeSpan delay)
    {
        var monitor = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        string? postponed = null;
        // A retry that fires meanwhile fails again and is scheduled again: catch it then.
        await Wait.UntilAsync(() =>
        {
            var scheduled = monitor.ScheduledJobs(0, 100).FirstOrDefault(j => j.Value.Job?.Args.Contains(eventId) == true).Key;
            if (scheduled is not null && jobs.ChangeState(scheduled, new ScheduledState(delay), ScheduledState.StateName))
                postponed = scheduled;
            return Task.FromResult(postponed is not null);
        }, TimeSpan.FromSeconds(30), "the waiting event's retry to be scheduled");
        return postponed!;
    }
}
