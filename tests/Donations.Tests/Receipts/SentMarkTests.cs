using System.Data.Common;
using Donations.Api.Features.Receipts;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>
/// Sent receipts are marked a few to a statement alongside the sending (<see cref="SentMarks"/>).
/// What the mail server accepted but whose mark never committed — a crash, or the database gone at
/// that moment — goes out once more after its lease, with the same Message-Id; never more than
/// <see cref="SentMarks.MaxUnmarked"/> receipts are in that state.
/// </summary>
public sealed class SentMarkTests
{
    [Fact]
    public async Task Receipts_whose_sent_mark_was_lost_go_again_after_their_lease_as_the_same_message_and_no_more_than_the_unmarked_limit()
    {
        var marks = new FailingSentMarks();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.HangfireServer = false;
            o.ConfigureServices = services => services.ConfigureDbContext<DonationsDbContext>(b => b.AddInterceptors(marks));
        });
        var ids = new List<long>();
        for (var i = 0; i < 30; i++) ids.Add(await app.SeedAsync());
        foreach (var id in ids) await app.ReconcileAsync(id);

        // The database refuses every "sent" mark while the first batch goes out: what the server
        // accepted by the time the sender notices stays pending under its lease.
        marks.Failing = true;
        await Assert.ThrowsAnyAsync<Exception>(app.SendPendingAsync);
        marks.Failing = false;
        var unmarked = app.Smtp!.Messages.Count;
        Assert.InRange(unmarked, 1, SentMarks.MaxUnmarked);
        Assert.Equal(unmarked, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Pending && r.ClaimedUntil != null)));

        // The rest were released, so they go now; the unmarked ones wait for their lease.
        await app.SendPendingAsync();
        Assert.Equal(30, app.Smtp.Messages.Count);
        Assert.Equal(30, app.Smtp.Messages.Select(m => m.MessageId).Distinct().Count());

        await app.WithDbAsync(db => db.Receipts.Where(r => r.Status == ReceiptStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedUntil, DateTime.UtcNow.AddSeconds(-1))));
        await app.SendPendingAsync();

        Assert.Equal(30 + unmarked, app.Smtp.Messages.Count);
        Assert.Equal(30, app.Smtp.Messages.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(30, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)));
    }

    [Fact]
    public async Task A_refused_receipt_whose_failed_mark_could_not_follow_a_lost_sent_mark_is_released_and_marked_failed_at_the_next_run()
    {
        var marks = new FailingSentMarks();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.HangfireServer = false;
            o.ConfigureServices = services => services.ConfigureDbContext<DonationsDbContext>(b => b.AddInterceptors(marks));
        });
        var accepted = await app.SeedAsync();
        var refused = await app.SeedAsync(email: "refused@example.org");
        await app.ReconcileAsync(accepted);
        await app.ReconcileAsync(refused);
        app.Smtp!.Reject("refused@example.org");

        marks.Failing = true;
        await Assert.ThrowsAnyAsync<Exception>(app.SendPendingAsync);
        marks.Failing = false;
        var stillPending = await app.WithDbAsync(db => db.Receipts.SingleAsync(r => r.DonationId == refused));
        Assert.Equal(ReceiptStatus.Pending, stillPending.Status);
        Assert.Null(stillPending.ClaimedUntil);

        await app.SendPendingAsync();
        var failed = await app.WithDbAsync(db => db.Receipts.SingleAsync(r => r.DonationId == refused));
        Assert.Equal(ReceiptStatus.Failed, failed.Status);
        Assert.NotNull(failed.LastError);
    }

    [Fact]
    public async Task While_a_mark_statement_is_held_the_sender_stops_at_the_unmarked_limit_and_sends_the_rest_once_it_commits()
    {
        var held = new HeldSentMarks();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.HangfireServer = false;
            o.ConfigureServices = services => services.ConfigureDbContext<DonationsDbContext>(b => b.AddInterceptors(held));
        });
        var ids = new List<long>();
        for (var i = 0; i < 30; i++) ids.Add(await app.SeedAsync());
        foreach (var id in ids) await app.ReconcileAsync(id);

        // The first mark statement waits until the server has 20 messages, or 10 s: a sender that
        // respects the limit stops at 8 accepted and unmarked, so the gate opens on the time-out.
        held.OpenWhen = () => app.Smtp!.Messages.Count >= 20;
        held.GiveUpAfter = TimeSpan.FromSeconds(10); // time enough for 8 messages on a busy machine
        held.Accepted = () => app.Smtp!.Messages.Count;
        await app.SendPendingAsync();

        Assert.Equal(SentMarks.MaxUnmarked, held.AcceptedWhenOpened);
        Assert.True(held.TimedOut, "the sender went past the limit while the first mark was held");
        Assert.Equal(30, app.Smtp!.Messages.Count);
        Assert.Equal(30, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)));
    }

    [Fact]
    public async Task An_accepted_receipt_keeps_its_lease_renewed_until_its_mark_commits_so_no_other_sender_takes_and_sends_it_again()
    {
        var lease = TimeSpan.FromSeconds(30);
        var held = new HeldSentMarks();
        await using var app = await StartWithHeldMarksAsync(held);
        await app.ReconcileAsync(await app.SeedAsync());
        var receiptId = await app.WithDbAsync(db => db.Receipts.Select(r => r.Id).SingleAsync());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held.OpenWhen = () => gate.Task.IsCompleted;
        held.GiveUpAfter = TimeSpan.FromMinutes(2); // the gate opens it; a busy machine must not

        var sending = Task.Run(app.SendPendingAsync);
        await held.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(app.Smtp!.Messages);

        // Two whole leases go by while the receipt's mark waits: its lease never runs out.
        await AssertLeaseStaysLiveAsync(app, receiptId, lease * 2, "while its mark waited");
        await using (var other = app.Services.CreateAsyncScope())
            Assert.Empty((await other.ServiceProvider.GetRequiredService<ReceiptClaims>().ClaimAsync(10, lease, CancellationToken.None)).Ids);

        gate.SetResult();
        await sending.WaitAsync(TimeSpan.FromSeconds(30));
        await app.SendPendingAsync();

        Assert.Single(app.Smtp.Messages);
        var receipt = await app.WithDbAsync(db => db.Receipts.SingleAsync(r => r.Id == receiptId));
        Assert.Equal(ReceiptStatus.Sent, receipt.Status);
        Assert.Null(receipt.ClaimedUntil);
    }

    [Fact]
    public async Task When_the_mail_server_fails_mid_batch_an_accepted_receipt_keeps_its_lease_until_its_mark_commits()
    {
        var lease = TimeSpan.FromSeconds(30);
        var held = new HeldSentMarks();
        await using var app = await StartWithHeldMarksAsync(held);
        await app.ReconcileAsync(await app.SeedAsync(email: "accepted-first@example.org"));
        await app.ReconcileAsync(await app.SeedAsync(email: "deferred-second@example.org"));
        app.Smtp!.Defer("deferred-second@example.org");
        var accepted = await app.WithDbAsync(db => db.Receipts.OrderBy(r => r.Id).Select(r => r.Id).FirstAsync());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held.OpenWhen = () => gate.Task.IsCompleted;
        held.GiveUpAfter = TimeSpan.FromMinutes(2); // the gate opens it; a busy machine must not

        // The first is accepted and its mark held; the server then fails the second, and the batch ends in error.
        var sending = Task.Run(app.SendPendingAsync);
        await held.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await AssertLeaseStaysLiveAsync(app, accepted, lease * 2, "while the failed batch marked it");
        gate.SetResult();
        try { await sending.WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (Exception) { /* the batch ended in the mail server's error, as it should */ }

        var receipts = await app.WithDbAsync(db => db.Receipts.OrderBy(r => r.Id).Select(r => new { r.Status, r.ClaimedUntil }).ToListAsync());
        Assert.Equal((ReceiptStatus.Sent, (DateTime?)null), (receipts[0].Status, receipts[0].ClaimedUntil));
        Assert.Equal(ReceiptStatus.Pending, receipts[1].Status);
        Assert.Single(app.Smtp.Messages, m => m.To.Mailboxes.Single().Address == "accepted-first@example.org");
    }

    [Fact]
    public async Task Marks_go_several_to_a_statement_not_one_as_each_message_is_accepted()
    {
        var counted = new CountedSentMarks();
        await using var app = await StartWithCountedMarksAsync(counted);
        var ids = new List<long>();
        for (var i = 0; i < 30; i++) ids.Add(await app.SeedAsync());
        foreach (var id in ids) await app.ReconcileAsync(id);

        await app.SendPendingAsync();

        Assert.Equal(30, app.Smtp!.Messages.Count);
        Assert.Equal(30, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)));
        var rows = counted.Rows;
        Assert.Equal(30, rows.Sum());
        // Each statement but the batch's last carries a group (one mark per statement before).
        Assert.All(rows.SkipLast(1), n => Assert.InRange(n, SentMarks.MinGroup, SentMarks.MaxUnmarked));
        Assert.InRange(rows.Count, 2, 30 / SentMarks.MinGroup + 1);
    }

    [Fact]
    public async Task A_mark_waits_for_its_group_no_longer_than_the_group_wait_while_the_server_is_slow()
    {
        var counted = new CountedSentMarks();
        await using var app = await StartWithCountedMarksAsync(counted);
        await app.ReconcileAsync(await app.SeedAsync(email: "quick@example.org"));
        await app.ReconcileAsync(await app.SeedAsync(email: "slow@example.org"));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Smtp!.Hold("slow@example.org", release.Task);

        // The first is accepted; the server keeps the second unanswered, so the sender neither
        // sends more nor ends its batch: only the group's wait can start the first mark.
        var sending = Task.Run(app.SendPendingAsync);
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp.Holding == 1), TimeSpan.FromSeconds(30), "the second message to be held");
        await Task.Delay(200); // time for the drain to find the mark and start the group's wait
        Assert.Empty(counted.Rows);
        // The clock moved on a quarter of the group's wait at a time, each step given 0.3 s (3 s once
        // the whole wait has passed) to land the mark: it lands once the whole wait has passed (a
        // step or two later should the wait have started late), not before.
        var step = SentMarks.GroupWait / 4;
        var moved = TimeSpan.Zero;
        var landed = false;
        while (!landed && moved < SentMarks.GroupWait * 2)
        {
            app.Clock().Advance(step);
            moved += step;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(moved < SentMarks.GroupWait ? 0.3 : 3);
            while (true)
            {
                landed = await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)) == 1;
                if (landed || DateTime.UtcNow >= deadline) break;
                await Task.Delay(20);
            }
        }
        Assert.True(landed, $"the accepted receipt was still unmarked after the clock moved {moved.TotalMilliseconds} ms");
        Assert.InRange(moved, SentMarks.GroupWait, SentMarks.GroupWait * 2);
        Assert.Equal(1, app.Smtp.Holding);

        release.SetResult();
        await sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 1], counted.Rows);
        Assert.Equal(2, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)));
    }

    /// <summary>
    /// On PostgreSQL, the test clock and <paramref name="counted"/> on every statement. The group's
    /// wait stands still until a test moves the clock: only the group's size, the limit and the
    /// batch's end start a statement.
    /// </summary>
    private static Task<DonationsApp> StartWithCountedMarksAsync(CountedSentMarks counted) => DonationsApp.StartAsync(o =>
    {
        o.Provider = DatabaseProvider.Postgres;
        o.UseSmtp = true;
        o.HangfireServer = false;
        o.UseTestClock();
        o.ConfigureServices = services => services.ConfigureDbContext<DonationsDbContext>(b => b.AddInterceptors(counted));
    });

    /// <summary>On PostgreSQL, a 30 s lease, the test clock and <paramref name="held"/> on every statement.</summary>
    private static Task<DonationsApp> StartWithHeldMarksAsync(HeldSentMarks held) => DonationsApp.StartAsync(o =>
    {
        o.Provider = DatabaseProvider.Postgres;
        o.UseSmtp = true;
        o.HangfireServer = false;
        o.UseTestClock();
        o.Settings["Email:Smtp:ClaimLease"] = "00:00:30";
        o.ConfigureServices = services => services.ConfigureDbContext<DonationsDbContext>(b => b.AddInterceptors(held));
    });

    /// <summary>
    /// Moves the test clock on a third of the lease at a time (the renewal's beat) for
    /// <paramref name="span"/>, and before each step waits (in real time) until the receipt's lease
    /// outlives the step: the lease never runs out on the clock. Without renewals the third step
    /// cannot be taken. A step only ever waits for a renewal already due: the renewing loop keeps
    /// its beats to the schedule set at the claim, so a step taken while a renewal is still
    /// committing (under load) does not push the next beat past the lease. (It once set each beat
    /// from the moment the last renewal ended; two steps taken in that moment left the next beat
    /// due exactly when the lease ran out, and the test waited for a renewal that could not come.)
    /// </summary>
    private static async Task AssertLeaseStaysLiveAsync(DonationsApp app, long receiptId, TimeSpan span, string when)
    {
        var clock = app.Clock();
        var lease = TimeSpan.FromSeconds(30);
        var end = clock.GetUtcNow() + span;
        while (true)
        {
            var needed = clock.GetUtcNow().UtcDateTime + lease / 3;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await app.WithDbAsync(db => db.Receipts.Where(r => r.Id == receiptId).Select(r => r.ClaimedUntil).SingleAsync()) is not { } until
                   || until <= needed)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the accepted receipt's lease would have run out before {needed:O} {when}");
                await Task.Delay(20);
            }
            if (clock.GetUtcNow() >= end) return;
            clock.Advance(lease / 3);
        }
    }

    /// <summary>Holds the first statement marking receipts done until <see cref="OpenWhen"/> holds, or <see cref="GiveUpAfter"/> has passed.</summary>
    private sealed class HeldSentMarks : DbCommandInterceptor
    {
        private int _marks;

        public Func<bool> OpenWhen { get; set; } = () => true;
        public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromSeconds(5);
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int AcceptedWhenOpened { get; private set; }
        public bool TimedOut { get; private set; }
        public Func<int> Accepted { get; set; } = () => 0;

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (IsSentMark(command) && Interlocked.Increment(ref _marks) == 1)
            {
                Reached.SetResult();
                var giveUp = DateTime.UtcNow + GiveUpAfter;
                while (!OpenWhen())
                {
                    if (DateTime.UtcNow > giveUp)
                    {
                        TimedOut = true;
                        break;
                    }
                    await Task.Delay(10, CancellationToken.None);
                }
                AcceptedWhenOpened = Accepted();
            }
            return result;
        }
    }

    /// <summary>Fails the statements that mark receipts done (the only updates of receipts that set <c>SentAt</c>; none is refused here).</summary>
    private sealed class FailingSentMarks : DbCommandInterceptor
    {
        public volatile bool Failing;

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (Failing && IsSentMark(command)) throw new InvalidOperationException("the database went away (test)");
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    /// <summary>The rows each statement marking receipts done changed, in order.</summary>
    private sealed class CountedSentMarks : DbCommandInterceptor
    {
        private readonly List<int> _rows = [];

        public List<int> Rows { get { lock (_rows) return [.. _rows]; } }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            if (IsSentMark(command)) lock (_rows) _rows.Add(result);
            return base.NonQueryExecutedAsync(command, eventData, result, cancellationToken);
        }
    }

    private static bool IsSentMark(DbCommand command) =>
        command.CommandText.Contains("UPDATE", StringComparison.OrdinalIgnoreCase)
        && command.CommandText.Contains("\"SentAt\"", StringComparison.Ordinal);
}
