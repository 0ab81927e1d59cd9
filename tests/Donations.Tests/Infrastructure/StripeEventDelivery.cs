using System.Net;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Infrastructure;

/// <summary>Delivering events built by <see cref="StripeEventFactory"/> and waiting for their jobs.</summary>
public static class StripeEventDelivery
{
    /// <summary>Posts each event, signed, and requires Stripe's "delivered" answer (200).</summary>
    public static async Task DeliverAsync(this DonationsApp app, params string[] events)
    {
        foreach (var json in events)
        {
            var response = await app.PostWebhookAsync(json);
            Assert.True(response.StatusCode == HttpStatusCode.OK,
                $"Webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Waits until every event's inbox row is Processed or Ignored.</summary>
    public static Task WaitForEventsAsync(this DonationsApp app, params string[] events) =>
        app.WaitForEventStatusAsync(events.Select(StripeEventFactory.IdOf), StripeEventStatus.Processed, StripeEventStatus.Ignored);

    public static Task WaitForEventStatusAsync(this DonationsApp app, IEnumerable<string> eventIds, params StripeEventStatus[] statuses) =>
        app.WaitForEventStatusAsync(eventIds, TimeSpan.FromSeconds(30), statuses);

    public static async Task WaitForEventStatusAsync(this DonationsApp app, IEnumerable<string> eventIds, TimeSpan timeout, params StripeEventStatus[] statuses)
    {
        var ids = eventIds.Distinct().ToList();
        try
        {
            await Wait.UntilAsync(() => app.WithDbAsync(db =>
                    db.StripeEvents.CountAsync(e => ids.Contains(e.Id) && statuses.Contains(e.Status)).ContinueWith(t => t.Result == ids.Count)),
                timeout, $"events to be {string.Join(" or ", statuses)}");
        }
        catch (TimeoutException e)
        {
            var rows = await app.WithDbAsync(db => db.StripeEvents.Where(r => ids.Contains(r.Id))
                .Select(r => $"{r.Id} {r.Type} {r.Status} enqueued={r.EnqueuedAt:O} attempts={r.Attempts} {r.Error}").ToListAsync());
            throw new TimeoutException($"{e.Message} Inbox: {string.Join("; ", rows)}", e);
        }
    }

    /// <summary>Delivers the events and waits until all of them are processed.</summary>
    public static async Task DeliverAndProcessAsync(this DonationsApp app, params string[] events)
    {
        await app.DeliverAsync(events);
        await app.WaitForEventsAsync(events);
    }
}
