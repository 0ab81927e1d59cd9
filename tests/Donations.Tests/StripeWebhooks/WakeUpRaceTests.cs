using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Stripe;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// An event that must wait for another (a refund before its payment) is woken when the other
/// lands. The other can land in the instant between the waiting event's look and its "waiting"
/// mark; here that instant is made to happen, by a handler that lets the creating event commit
/// right after its own look, so the wake-up lands on the row before the mark does.
/// </summary>
public sealed class WakeUpRaceTests
{
    private const string Thing = "obj_wake_race";

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_wake_up_that_lands_between_the_look_and_the_waiting_mark_is_not_overwritten(DatabaseProvider provider)
    {
        var waiter = new WaitingHandler();
        await using var app = await InboxDispatcherFaultTests.StartWithoutDispatcherAsync(provider, services => services
            .AddSingleton(waiter)
            .AddStripeEventHandler<WaitingHandlerScoped>()
            .AddStripeEventHandler<CreatingHandler>());
        await app.WithDbAsync(db =>
        {
            db.StripeEvents.AddRange(Row("evt_wake_creator", CreatingHandler.Type), Row("evt_wake_waiter", WaitingHandler.Type));
            return db.SaveChangesAsync();
        });
        waiter.CreateInTheGap = () => ApplyAsync(app, "evt_wake_creator");

        // Look 1: not there, marked waiting. Look 2 (the look again after the mark): still not
        // there, and then the creating event commits and wakes the row. With the mark written over
        // the wake-up, the event would sleep until Hangfire's retry; instead it looks a third time.
        await ApplyAsync(app, "evt_wake_waiter");

        var row = await app.WithDbAsync(db => db.StripeEvents.SingleAsync(e => e.Id == "evt_wake_waiter"));
        Assert.Equal(StripeEventStatus.Processed, row.Status);
        Assert.Equal(3, waiter.Looks);
    }

    private static async Task ApplyAsync(DonationsApp app, string eventId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<StripeEventProcessor>().ApplyAsync(eventId, CancellationToken.None);
    }

    private static StripeEvent Row(string id, string type) => new()
    {
        Id = id,
        Type = type,
        ApiVersion = StripeApiVersion.Pinned,
        CreatedAt = DateTime.UtcNow,
        ReceivedAt = DateTime.UtcNow,
        Source = "webhook",
        Status = StripeEventStatus.Received,
        EnqueuedAt = DateTime.UtcNow,
        Payload = $$"""
            {"id":"{{id}}","object":"event","api_version":"{{StripeApiVersion.Pinned}}","created":1767225600,"livemode":false,
             "pending_webhooks":1,"type":"{{type}}","data":{"object":{"id":"{{Thing}}","object":"customer"} } }
            """,
    };

    private sealed class WaitingHandler
    {
        public const string Type = "test.wake_race.waiting";
        public int Looks;
        public Func<Task> CreateInTheGap = () => Task.CompletedTask;
    }

    /// <summary>Waits for the creating event's row to be processed; on its second look lets it commit just after looking.</summary>
    private sealed class WaitingHandlerScoped(WaitingHandler state, DonationsDbContext db) : IStripeEventHandler
    {
        public IReadOnlyCollection<string> EventTypes => [WaitingHandler.Type];

        public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
        {
            var look = ++state.Looks;
            if (await db.StripeEvents.AnyAsync(e => e.Id == "evt_wake_creator" && e.Status == StripeEventStatus.Processed, ct))
                return StripeEventOutcome.Processed;
            if (look == 2) await state.CreateInTheGap();
            throw new StripeEventNotReadyException(Thing);
        }
    }

    private sealed class CreatingHandler : IStripeEventHandler
    {
        public const string Type = "test.wake_race.creating";
        public IReadOnlyCollection<string> EventTypes => [Type];

        public Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
        {
            effects.Created(Thing);
            return Task.FromResult(StripeEventOutcome.Processed);
        }
    }
}
