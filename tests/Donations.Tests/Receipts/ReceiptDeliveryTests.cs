using Donations.Api.Features.Receipts;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>Exactly-once delivery over a real SMTP conversation: duplicates, races, outages, refusals.</summary>
public sealed class ReceiptDeliveryTests
{
    [Fact]
    public async Task Duplicate_scheduling_sends_each_gift_one_receipt_with_consecutive_numbers()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var ids = new List<long>();
        for (var i = 0; i < 12; i++) ids.Add(await app.SeedAsync());

        // Webhook handlers call Schedule for every event touching a gift, duplicates included.
        for (var round = 0; round < 4; round++)
            foreach (var id in ids) app.ScheduleReceipts(id);

        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= ids.Count), TimeSpan.FromSeconds(60), "one receipt per gift");
        await app.WaitForIdleJobsAsync();
        var messages = app.Smtp!.Messages.Select(ReceiptEmail.From).ToList();
        Assert.Equal(ids.Count, messages.Count);
        Assert.Equal(ids.Count, messages.Select(m => m.Message.To.Mailboxes.Single().Address).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, ids.Count).Select(n => $"2026-{n:000000}"), messages.Select(m => m.Number).Order());
        Assert.Equal(ids.Count, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)));
    }

    [Fact]
    public async Task The_receipt_email_has_one_Date_by_the_service_clock_and_one_Message_Id_the_one_stored_with_the_receipt()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.HangfireServer = false;
            o.UseTestClock();
        });
        app.Clock().Advance(TimeSpan.FromDays(3) + TimeSpan.FromHours(5));
        var id = await app.SeedAsync();
        await app.ReconcileAsync(id);

        await app.SendPendingAsync();

        var message = Assert.Single(app.Smtp!.Messages);
        var stored = await app.WithDbAsync(db => db.Receipts.Where(r => r.DonationId == id).Select(r => r.MessageId).SingleAsync());
        Assert.Single(message.Headers, h => h.Id == MimeKit.HeaderId.Date);
        Assert.Single(message.Headers, h => h.Id == MimeKit.HeaderId.MessageId);
        Assert.Equal(stored, message.MessageId);
        Assert.InRange(message.Date - app.Clock().GetUtcNow(), TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Concurrent_senders_on_PostgreSQL_send_each_receipt_once_in_batches_over_one_connection_each()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.HangfireServer = false;
            o.Settings["Email:Smtp:BatchSize"] = "10";
        });
        for (var i = 0; i < 30; i++) await app.ReconcileAsync(await app.SeedAsync());

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(app.SendPendingAsync)));

        var messages = app.Smtp!.Messages;
        Assert.Equal(30, messages.Count);
        Assert.Equal(30, messages.Select(m => m.MessageId).Distinct().Count());
        Assert.InRange(app.Smtp.Sessions, 3, 5);
        Assert.Equal(30, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent && r.Attempts == 1)));
    }

    [Fact]
    public async Task Smtp_outage_keeps_the_receipt_pending_and_Hangfire_delivers_it_once_the_server_is_back()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        await app.Smtp!.StopAsync();
        var id = await app.SeedAsync();

        app.ScheduleReceipts(id);

        // The sending job failed and waits for its retry.
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await Wait.UntilAsync(() => Task.FromResult(monitoring.ScheduledCount() > 0), TimeSpan.FromSeconds(30), "the sending job to be scheduled for a retry");
        var pending = await app.WithDbAsync(db => db.Receipts.SingleAsync(r => r.DonationId == id));
        Assert.Equal(ReceiptStatus.Pending, pending.Status);
        Assert.Null(pending.ClaimedUntil);

        await app.Smtp.ResumeAsync();

        var message = await app.Smtp.WaitForMessageAsync(m => m.Headers["X-Receipt-Number"] == pending.Number, TimeSpan.FromSeconds(60));
        Assert.Equal(pending.MessageId, message.MessageId);
        await Wait.UntilAsync(async () => await app.WithDbAsync(db => db.Receipts.AnyAsync(r => r.Id == pending.Id && r.Status == ReceiptStatus.Sent)));
        Assert.Single(app.Smtp.Messages);
    }

    [Fact]
    public async Task A_try_again_later_answer_is_retried_and_the_receipt_delivered_exactly_once()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        app.Smtp!.Defer("greylisted@example.com");
        var id = await app.SeedAsync(email: "greylisted@example.com");

        app.ScheduleReceipts(id);

        var message = await app.Smtp.WaitForMessageAsync(m => m.To.Mailboxes.Any(a => a.Address == "greylisted@example.com"), TimeSpan.FromSeconds(60));
        await app.WaitForIdleJobsAsync();
        Assert.Equal(1, app.Smtp.Deferred);
        Assert.Single(app.Smtp.Messages);
        var sent = await app.WithDbAsync(db => db.Receipts.SingleAsync(r => r.DonationId == id));
        Assert.Equal((ReceiptStatus.Sent, sent.MessageId), (sent.Status, message.MessageId));
        // The server's answer quoted the address; Hangfire keeps the answer in the retried job's
        // history, which the dashboard shows and no erasure reaches: the address is not in it.
        var states = app.JobStateTexts();
        Assert.Contains(states, t => t.Contains("mailbox full"));
        Assert.DoesNotContain(states, t => t.Contains("@example.com", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Permanent_refusal_marks_that_receipt_failed_for_staff_and_the_rest_of_the_batch_still_goes()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        app.Smtp!.Reject("gone@example.com");
        var refused = await app.SeedAsync(email: "gone@example.com");
        var fine = await app.SeedAsync();
        await app.ReconcileAsync(refused);
        await app.ReconcileAsync(fine);

        await app.SendPendingAsync();
        await app.SendPendingAsync();

        var rows = await app.WithDbAsync(db => db.Receipts.ToDictionaryAsync(r => r.DonationId));
        Assert.Equal(ReceiptStatus.Failed, rows[refused].Status);
        Assert.Contains("550", rows[refused].LastError);
        Assert.Equal(1, rows[refused].Attempts);
        Assert.Equal(ReceiptStatus.Sent, rows[fine].Status);
        Assert.Equal(rows[fine].Number, Assert.Single(app.Smtp.Messages).Headers["X-Receipt-Number"]);
        Assert.Equal(1, app.Smtp.Sessions);
    }

    [Fact]
    public async Task A_sender_that_died_after_sending_is_followed_by_one_resend_with_the_same_message_id()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync();
        await app.ReconcileAsync(id);
        await app.SendPendingAsync();
        var first = Assert.Single(app.Smtp!.Messages);

        // What a worker killed between SMTP's "250 OK" and the Sent marker leaves behind: a pending
        // receipt under a lease. While the lease runs, nobody else touches it.
        await app.WithDbAsync(db => db.Receipts.Where(r => r.DonationId == id).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Status, ReceiptStatus.Pending)
            .SetProperty(r => r.SentAt, (DateTime?)null)
            .SetProperty(r => r.ClaimedUntil, DateTime.UtcNow.AddMinutes(4))));
        await app.SendPendingAsync();
        Assert.Single(app.Smtp.Messages);

        await app.WithDbAsync(db => db.Receipts.Where(r => r.DonationId == id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedUntil, DateTime.UtcNow.AddSeconds(-1))));
        await app.SendPendingAsync();
        await app.SendPendingAsync();

        Assert.Equal(2, app.Smtp.Messages.Count);
        Assert.All(app.Smtp.Messages, m => Assert.Equal(first.MessageId, m.MessageId));
        var receipt = await app.WithDbAsync(db => db.Receipts.SingleAsync(r => r.DonationId == id));
        Assert.Equal(ReceiptStatus.Sent, receipt.Status);
        Assert.Equal(2, receipt.Attempts);
    }

    [Fact]
    public async Task The_sweeper_finds_a_gift_whose_scheduling_call_was_lost()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var id = await app.SeedAsync();
        var email = await app.EmailOfAsync(id);

        app.Services.GetRequiredService<IRecurringJobManager>().Trigger(ReceiptsSweeper.JobId);

        await app.Smtp!.WaitForMessageAsync(m => m.To.Mailboxes.Any(a => a.Address == email), TimeSpan.FromSeconds(30));
    }
}
