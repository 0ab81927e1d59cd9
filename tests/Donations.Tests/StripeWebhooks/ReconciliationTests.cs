using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.StripeWebhooks;

public sealed class ReconciliationTests
{
    [Fact]
    public async Task Reconciliation_ingests_a_missed_event_from_the_Events_API_and_it_becomes_a_donation()
    {
        await using var app = await DonationsApp.StartAsync();
        var delivered = new OneTimeGift(Amount: 1100);
        var missed = new OneTimeGift(Amount: 2200);
        var tooOld = new OneTimeGift(Amount: 3300);
        var deliveredJson = delivered.CheckoutCompleted();
        await app.DeliverAndProcessAsync(deliveredJson);
        app.Stripe.Events.Enqueue(deliveredJson);
        var missedJson = missed.CheckoutCompleted();
        app.Stripe.Events.Enqueue(missedJson);
        app.Stripe.Events.Enqueue(tooOld.CheckoutCompleted(created: DateTimeOffset.UtcNow.AddDays(-4)));

        var added = await RunReconcileAsync(app);

        Assert.Equal(1, added);
        await Wait.UntilAsync(() => app.WithDbAsync(db => db.Donations.AnyAsync(d => d.Amount == 2200)), what: "the missed gift");
        var rows = await app.WithDbAsync(db => db.StripeEvents.OrderBy(e => e.ReceivedAt).ToListAsync());
        Assert.Equal(["webhook", "reconcile"], rows.Select(r => r.Source));
        Assert.Equal(missedJson, rows[1].Payload); // as Stripe's API sent it, not re-serialised
        Assert.Equal([1100L, 2200L], await app.WithDbAsync(db => db.Donations.OrderBy(d => d.Amount).Select(d => d.Amount).ToListAsync()));
        var request = Assert.Single(app.Stripe.RequestsTo("GET", "/v1/events"));
        Assert.Contains("created[gte]", Uri.UnescapeDataString(request.Query));
        Assert.Contains("types[0]", Uri.UnescapeDataString(request.Query));

        Assert.Equal(0, await RunReconcileAsync(app)); // a second run finds nothing new
    }

    [Fact]
    public async Task Reconciliation_pages_through_the_Events_API()
    {
        await using var app = await DonationsApp.StartAsync();
        var gifts = Enumerable.Range(0, 150).Select(i => new OneTimeGift(Amount: 500 + i)).ToList();
        foreach (var g in gifts) app.Stripe.Events.Enqueue(g.CheckoutCompleted(created: DateTimeOffset.UtcNow.AddMinutes(-gifts.IndexOf(g))));

        Assert.Equal(150, await RunReconcileAsync(app));

        await Wait.UntilAsync(() => app.WithDbAsync(db => db.Donations.CountAsync()).ContinueWith(t => t.Result == 150),
            TimeSpan.FromSeconds(60), "150 donations");
        Assert.Equal(2, app.Stripe.RequestsTo("GET", "/v1/events").Count());
    }

    [Fact]
    public async Task Reconciliation_leaves_an_event_whose_handler_failed_to_its_retries_and_staff_instead_of_replaying_it()
    {
        await using var app = await DonationsApp.StartAsync();
        var json = new OneTimeGift(Amount: 5150).CheckoutCompleted();
        // Stored in the pinned version and given up by its handler after Hangfire's retries.
        await SeedEventAsync(app, json, DateTime.UtcNow.AddHours(-2), enqueuedAt: null,
            e => { e.Status = StripeEventStatus.Failed; e.Attempts = 12; e.Error = "the handler gave up"; });
        app.Stripe.Events.Enqueue(json);

        Assert.Equal(0, await RunReconcileAsync(app));

        var row = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().SingleAsync());
        Assert.Equal((StripeEventStatus.Failed, "the handler gave up", "webhook"), (row.Status, row.Error, row.Source));
        Assert.False(await app.WithDbAsync(db => db.Donations.AnyAsync()));
    }

    [Fact]
    public async Task The_sweeper_hands_over_again_an_event_whose_job_was_lost()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Amount: 4321);
        var json = gift.CheckoutCompleted();
        // As if the dispatcher had claimed it and crashed before Hangfire got the job.
        var claimed = DateTime.UtcNow.AddMinutes(-30);
        await SeedEventAsync(app, json, claimed, enqueuedAt: claimed);

        await using (var scope = app.Services.CreateAsyncScope())
            Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<SweepStripeInbox>().SweepAsync(SweepStripeInbox.StuckAfter, default));

        await app.WaitForEventsAsync(json);
        Assert.Equal(4321, (await app.WithDbAsync(db => db.Donations.SingleAsync())).Amount);
    }

    [Fact]
    public async Task The_sweeper_leaves_claims_just_past_their_time_alone_while_the_webhooks_queue_still_holds_jobs()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var json = new OneTimeGift(Amount: 1234).CheckoutCompleted();
        var claimed = DateTime.UtcNow - SweepStripeInbox.StuckAfter * 1.5;
        await SeedEventAsync(app, json, claimed, enqueuedAt: claimed);
        // A backlog: the batch holding the event waits in the queue behind others.
        var queued = app.Services.GetRequiredService<IBackgroundJobClient>()
            .Enqueue<ProcessStripeEventBatch>(JobQueues.Webhooks, j => j.RunAsync(new[] { StripeEventFactory.IdOf(json) }));

        Assert.Equal(0, await SweepAsync(app));
        Assert.NotNull((await app.WithDbAsync(db => db.StripeEvents.SingleAsync())).EnqueuedAt);

        // A worker fetches the job: while it runs, the claim is still its own.
        using (var connection = app.Services.GetRequiredService<JobStorage>().GetConnection())
        using (var fetched = connection.FetchNextJob([JobQueues.Webhooks], CancellationToken.None))
        {
            Assert.Equal(queued, fetched.JobId);
            Assert.Equal(0, await SweepAsync(app));
            fetched.RemoveFromQueue();
        }
        // The job ended without processing the event (it was lost): the queue is idle, the claim is released.
        Assert.Equal(1, await SweepAsync(app));
    }

    [Fact]
    public async Task The_sweeper_releases_a_claim_twice_its_time_old_even_while_the_webhooks_queue_is_busy()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var json = new OneTimeGift(Amount: 4321).CheckoutCompleted();
        var claimed = DateTime.UtcNow - SweepStripeInbox.StuckAfter * 2.5;
        await SeedEventAsync(app, json, claimed, enqueuedAt: claimed);
        app.Services.GetRequiredService<IBackgroundJobClient>()
            .Enqueue<ProcessStripeEventBatch>(JobQueues.Webhooks, j => j.RunAsync(new[] { "evt_another_batch" }));

        Assert.Equal(1, await SweepAsync(app));
    }

    /// <summary>
    /// A checkout event already in the inbox, received at <paramref name="receivedAt"/> and claimed by a
    /// dispatcher at <paramref name="enqueuedAt"/> (null: never claimed); <paramref name="change"/> sets the rest.
    /// </summary>
    private static Task SeedEventAsync(DonationsApp app, string json, DateTime receivedAt, DateTime? enqueuedAt, Action<StripeEvent>? change = null) =>
        app.WithDbAsync(async db =>
        {
            var row = new StripeEvent
            {
                Id = StripeEventFactory.IdOf(json), Type = "checkout.session.completed", ApiVersion = StripeEventFactory.ApiVersion,
                CreatedAt = receivedAt, ReceivedAt = receivedAt, Source = "webhook", Payload = json,
                Status = StripeEventStatus.Received, EnqueuedAt = enqueuedAt,
            };
            change?.Invoke(row);
            db.StripeEvents.Add(row);
            await db.SaveChangesAsync();
        });

    private static async Task<int> SweepAsync(DonationsApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SweepStripeInbox>().SweepAsync(SweepStripeInbox.StuckAfter, default);
    }

    [Fact]
    public async Task The_sweeper_and_reconciliation_are_recurring_jobs_with_stable_ids()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Settings["Stripe:ReconcileCron"] = "15 */2 * * *");

        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var jobs = connection.GetRecurringJobs();

        Assert.Equal("* * * * *", Assert.Single(jobs, j => j.Id == SweepStripeInbox.RecurringJobId).Cron);
        Assert.Equal("15 */2 * * *", Assert.Single(jobs, j => j.Id == ReconcileStripeEvents.RecurringJobId).Cron);
    }

    private static async Task<int> RunReconcileAsync(DonationsApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReconcileStripeEvents>().RunAsync();
    }
}
