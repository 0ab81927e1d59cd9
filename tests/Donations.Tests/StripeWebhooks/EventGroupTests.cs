using System.Net;
using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// A batch's events about different payments are applied together, in one transaction; an event
/// about the same payment as one before it, and every event of a group that fails, is applied on
/// its own afterwards, in the batch's order.
/// </summary>
public sealed class EventGroupTests
{
    [Fact]
    public async Task Events_about_different_payments_are_applied_in_one_transaction_and_a_refund_of_one_of_them_after_it()
    {
        var gifts = Enumerable.Range(0, 12).Select(i => new OneTimeGift(Amount: 1000 + i, Email: $"together-{i}@example.org")).ToList();
        var refunded = gifts[5];
        // Stripe sends the refund after the payment; the batch holds both, and the payment's
        // neighbours on either side.
        var events = gifts.Take(6).Select(g => g.CheckoutCompleted())
            .Append(refunded.Refunded(400))
            .Concat(gifts.Skip(6).Select(g => g.CheckoutCompleted()))
            .ToList();

        await using var app = await StartAsync();
        await PostAndDispatchAsync(app, events);
        await app.WaitForEventsAsync([.. events]);

        // Every gift's inbox row was marked processed in the same transaction as the others'.
        var checkoutIds = events.Where(e => !e.Contains("\"charge.refunded\"")).Select(StripeEventFactory.IdOf).ToArray();
        Assert.Equal(1, await DistinctWritersAsync(app, """SELECT count(DISTINCT xmin::text) FROM "StripeEvents" WHERE "Id" = ANY(@ids)""", checkoutIds));
        // The refund went after them, on its own, and found its payment.
        var refundId = StripeEventFactory.IdOf(events[6]);
        Assert.Equal(2, await DistinctWritersAsync(app, """SELECT count(DISTINCT xmin::text) FROM "StripeEvents" WHERE "Id" = ANY(@ids)""", [refundId, checkoutIds[0]]));
        var donations = await app.WithDbAsync(db => db.Donations.AsNoTracking().Include(d => d.Donor).ToListAsync());
        Assert.Equal(gifts.Select(g => (g.Email.ToLowerInvariant(), g.Amount)).OrderBy(x => x.Item1),
            donations.Select(d => (d.Donor!.Email, d.Amount)).OrderBy(x => x.Item1));
        Assert.Equal(400, donations.Single(d => d.Donor!.Email == refunded.Email).RefundedAmount);
        Assert.All(donations.Where(d => d.Donor!.Email != refunded.Email), d => Assert.Equal(0, d.RefundedAmount));
    }

    [Fact]
    public async Task An_event_that_must_wait_sends_its_group_one_at_a_time_and_holds_back_none_of_the_others()
    {
        var waiting = new OneTimeGift(Amount: 5000, Email: "refund-first@example.org");
        var others = Enumerable.Range(0, 8).Select(i => new OneTimeGift(Amount: 2000 + i, Email: $"beside-{i}@example.org")).ToList();
        // The refund comes first (Stripe does not promise order): it must wait for its payment,
        // which comes last in the same batch.
        var events = new[] { waiting.Refunded(1500) }
            .Concat(others.Select(g => g.CheckoutCompleted()))
            .Append(waiting.CheckoutCompleted())
            .ToList();

        await using var app = await StartAsync();
        await PostAndDispatchAsync(app, events);
        await app.WaitForEventsAsync([.. events]);

        var donations = await app.WithDbAsync(db => db.Donations.AsNoTracking().Include(d => d.Donor).ToListAsync());
        Assert.Equal(others.Count + 1, donations.Count);
        Assert.Equal(1500, donations.Single(d => d.Donor!.Email == waiting.Email).RefundedAmount);
        // Nothing of the failed group was kept: each of its events was applied in a transaction of its own.
        var otherIds = events.Skip(1).Take(others.Count).Select(StripeEventFactory.IdOf).ToArray();
        Assert.Equal(others.Count, await DistinctWritersAsync(app, """SELECT count(DISTINCT xmin::text) FROM "StripeEvents" WHERE "Id" = ANY(@ids)""", otherIds));
        var rows = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().ToListAsync());
        Assert.All(rows, r => Assert.Equal(StripeEventStatus.Processed, r.Status));
    }

    [Fact]
    public async Task On_SQLite_webhooks_are_taken_while_a_groups_handlers_wait_on_Stripe()
    {
        // Each renewal asks Stripe for its invoice's payment; here every answer takes two seconds.
        // The group holds no write lock meanwhile (one short SaveChanges at its end), so a webhook
        // posted while it waits is taken at once, not after the whole group.
        await using var app = await DonationsApp.StartAsync(o => o.WithoutInboxDispatcher()); // SQLite, the default
        var answered = 0;
        var firstAnswered = new TaskCompletionSource();
        app.Stripe.On("GET", "/v1/invoice_payments", _ =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(2));
            Interlocked.Increment(ref answered);
            firstAnswered.TrySetResult();
            return StripeReply.Ok(new System.Text.Json.Nodes.JsonObject
            {
                ["object"] = "list", ["url"] = "/v1/invoice_payments", ["has_more"] = false, ["data"] = new System.Text.Json.Nodes.JsonArray(),
            });
        });
        using var client = app.CreateClient(handleCookies: false);
        var renewals = Enumerable.Range(0, 6).Select(i => new MonthlyGift(Email: $"renewing-{i}@example.org").InvoicePaid(2, includePayments: false)).ToList();
        foreach (var json in renewals) Assert.Equal(HttpStatusCode.OK, await client.PostEventAsync(json));

        var batch = Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            await ActivatorUtilities.CreateInstance<ProcessStripeEventBatch>(scope.ServiceProvider).RunAsync([.. renewals.Select(StripeEventFactory.IdOf)]);
        });
        await firstAnswered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, await client.PostEventAsync(new OneTimeGift(Email: "meanwhile@example.org").CheckoutCompleted()));
        var answeredWhenTaken = Volatile.Read(ref answered);
        await batch;

        Assert.InRange(answeredWhenTaken, 1, renewals.Count - 1);
        Assert.Equal(renewals.Count, Volatile.Read(ref answered)); // one group: each renewal asked once, none re-run
        await app.WaitForEventsAsync([.. renewals]);
    }

    [Fact]
    public void Events_naming_the_same_payment_customer_or_address_do_not_join_the_same_group()
    {
        var a = new OneTimeGift(Email: "Same.Person@example.org");
        var b = new OneTimeGift(Email: "same.person@EXAMPLE.org "); // another payment, the same donor
        var c = new OneTimeGift(Email: "someone.else@example.org");
        var d = new OneTimeGift(Email: "fourth@example.org");
        var rows = new[]
        {
            Row(a.CheckoutCompleted()),
            Row(b.CheckoutCompleted()),           // same address as a: alone
            Row(c.CheckoutCompleted()),
            Row(c.Refunded(100)),                 // same payment as c: alone, after it
            Row(d.CheckoutCompleted(), StripeEventStatus.Failed), // a retry keeps its own path
            Row(a.Refunded(100), StripeEventStatus.Processed),   // already applied: skipped
        };
        var byId = rows.ToDictionary(r => r.Id);

        var split = EventGroup.Of([.. rows.Select(r => r.Id), "evt_not_in_inbox"], byId, _ => true);

        Assert.Equal([rows[0].Id, rows[2].Id], split.Together.Select(r => r.Id));
        Assert.Equal([rows[1].Id, rows[3].Id, rows[4].Id, "evt_not_in_inbox"], split.Alone);
    }

    [Fact]
    public void An_event_after_one_left_to_go_alone_about_the_same_payment_goes_alone_too()
    {
        var gift = new OneTimeGift();
        var rows = new[] { Row(gift.CheckoutCompleted()), Row(gift.Refunded(100)) };
        // The first cannot join (say, another API version): the refund must not overtake it.
        var split = EventGroup.Of([.. rows.Select(r => r.Id)], rows.ToDictionary(r => r.Id), r => r.Id != rows[0].Id);

        Assert.Empty(split.Together);
        Assert.Equal([rows[0].Id, rows[1].Id], split.Alone);
    }

    [Fact]
    public void A_price_many_payers_share_does_not_tie_their_events_together()
    {
        var keys = EventGroup.KeysOf("""{"price":{"id":"price_1Shared","product":"prod_Shared"},"customer":"cus_123abc","customer_email":"a\u0040example.org"}""");

        Assert.Equal(["cus_123abc", "email:a@example.org"], keys.Order());
    }

    private static StripeEvent Row(string json, StripeEventStatus status = StripeEventStatus.Received) => new()
    {
        Id = StripeEventFactory.IdOf(json),
        Type = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("type").GetString()!,
        Source = "webhook",
        Payload = json,
        Status = status,
    };

    private static Task<DonationsApp> StartAsync() => DonationsApp.StartAsync(o =>
    {
        o.Provider = DatabaseProvider.Postgres;
        o.WithoutInboxDispatcher();
    });

    /// <summary>Posts every event first, then lets the dispatcher claim them: one batch, as in a burst.</summary>
    private static async Task PostAndDispatchAsync(DonationsApp app, IReadOnlyList<string> events)
    {
        using (var client = app.CreateClient(handleCookies: false))
        {
            foreach (var json in events) Assert.Equal(HttpStatusCode.OK, await client.PostEventAsync(json));
        }
        var dispatcher = ActivatorUtilities.CreateInstance<InboxDispatcher>(app.Services);
        Assert.Equal(events.Count, await dispatcher.DispatchBatchAsync(CancellationToken.None));
    }

    /// <summary>How many transactions last wrote the rows: PostgreSQL's <c>xmin</c>.</summary>
    private static async Task<long> DistinctWritersAsync(DonationsApp app, string sql, string[] ids)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("ids", ids);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
