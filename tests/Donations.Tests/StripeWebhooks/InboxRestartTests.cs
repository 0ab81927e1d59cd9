using System.Diagnostics;
using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// A node that claimed inbox rows and stopped before enqueueing them takes its memory of the claim
/// with it: the restarted service finds the rows marked handed over and no job for them. The
/// minutely <c>stripe-inbox-sweeper</c> releases claims older than <c>Stripe:InboxStuckAfter</c>,
/// so they are processed within that time plus a minute.
/// </summary>
public sealed class InboxRestartTests
{
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(10);
    /// <summary>The documented bound (stuck-after, then the sweeper's next minute) and time to process.</summary>
    private static readonly TimeSpan Bound = StuckAfter + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Events_claimed_by_a_node_that_stopped_before_enqueueing_them_are_processed_after_a_restart_within_the_bound()
    {
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var events = Enumerable.Range(0, 3).Select(i => new OneTimeGift(Amount: 3000 + i).CheckoutCompleted()).ToList();
        var ids = events.Select(StripeEventFactory.IdOf).ToList();

        await using (var stopped = await StartAsync(database, dispatcher: false))
        {
            await stopped.DeliverAsync([.. events]);
            // What the dispatcher's claim writes; the node stops before any job exists.
            var claimedAt = RowClaims.Mark(DateTime.UtcNow);
            Assert.Equal(3, await stopped.WithDbAsync(db => db.StripeEvents.ExecuteUpdateAsync(s => s.SetProperty(e => e.EnqueuedAt, (DateTime?)claimedAt))));
        }
        var stoppedAt = Stopwatch.StartNew();

        await using var restarted = await StartAsync(database, dispatcher: true);
        await restarted.WaitForEventStatusAsync(ids, Bound, StripeEventStatus.Processed);

        Assert.True(stoppedAt.Elapsed < Bound, $"took {stoppedAt.Elapsed}");
        Assert.Equal([3000L, 3001L, 3002L], await restarted.WithDbAsync(db => db.Donations.OrderBy(d => d.Amount).Select(d => d.Amount).ToListAsync()));
    }

    private static Task<DonationsApp> StartAsync(string database, bool dispatcher) => DonationsApp.StartAsync(o =>
    {
        o.Provider = DatabaseProvider.Postgres;
        o.ConnectionString = database;
        o.HangfireServer = dispatcher;
        o.Settings["Stripe:InboxStuckAfter"] = StuckAfter.ToString();
        if (!dispatcher) o.WithoutInboxDispatcher();
    });
}
