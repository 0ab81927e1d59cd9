using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.StripeWebhooks;

public sealed class WebhookIngestTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Ten_concurrent_deliveries_of_one_event_store_one_row_and_one_donation(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = provider);
        var gift = new OneTimeGift(Amount: 4200);
        var json = gift.CheckoutCompleted();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => app.PostWebhookAsync(json)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await app.WaitForEventsAsync(json);
        var id = StripeEventFactory.IdOf(json);
        Assert.Equal(1, await app.WithDbAsync(db => db.StripeEvents.CountAsync(e => e.Id == id)));
        var donation = Assert.Single(await app.WithDbAsync(db => db.Donations.ToListAsync()));
        Assert.Equal(4200, donation.Amount);
        Assert.Equal("pi:" + gift.PaymentIntentId, donation.SettlementKey);
    }

    [Fact]
    public async Task A_stored_event_keeps_the_raw_payload_and_its_envelope()
    {
        await using var app = await DonationsApp.StartAsync();
        var created = DateTimeOffset.UtcNow.AddMinutes(-3);
        var json = new OneTimeGift().CheckoutCompleted(created: created);

        await app.DeliverAndProcessAsync(json);

        var row = await app.WithDbAsync(db => db.StripeEvents.SingleAsync());
        Assert.Equal(json, row.Payload);
        Assert.Equal("checkout.session.completed", row.Type);
        Assert.Equal(StripeEventFactory.ApiVersion, row.ApiVersion);
        Assert.Equal(created.ToUnixTimeSeconds(), new DateTimeOffset(row.CreatedAt).ToUnixTimeSeconds());
        Assert.Equal("webhook", row.Source);
        Assert.Equal(StripeEventStatus.Processed, row.Status);
        Assert.NotNull(row.EnqueuedAt);
        Assert.NotNull(row.ProcessedAt);
        Assert.Null(row.Error);
    }

    [Fact]
    public async Task An_indented_payload_with_characters_a_serializer_would_escape_is_verified_and_kept_byte_for_byte()
    {
        // Stripe sends indented JSON; a body parsed and written again would lose the indentation
        // and escape these characters, and its signature would no longer match.
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift(Email: "zoe@example.org", Name: "Zoë <Ann> + Søn");
        var json = JsonNode.Parse(gift.CheckoutCompleted())!.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        Assert.Contains("\n  \"", json);
        Assert.Contains("Zoë <Ann> + Søn", json);

        await app.DeliverAndProcessAsync(json);

        Assert.Equal(json, await app.WithDbAsync(db => db.StripeEvents.Select(e => e.Payload).SingleAsync()));
        Assert.Equal("Zoë <Ann> + Søn", await app.WithDbAsync(db => db.Donors.Select(d => d.Name).SingleAsync()));
    }

    [Fact]
    public async Task Forged_stale_and_unsigned_deliveries_are_rejected_and_nothing_is_stored()
    {
        await using var app = await DonationsApp.StartAsync();
        var json = new OneTimeGift().CheckoutCompleted();

        var forged = await app.PostWebhookAsync(json, secret: StripeSignature.OtherSecret);
        var stale = await app.PostWebhookAsync(json, signedAt: DateTimeOffset.UtcNow.AddMinutes(-6));
        var future = await app.PostWebhookAsync(json, signedAt: DateTimeOffset.UtcNow.AddMinutes(6));
        var tampered = await PostAsync(app, json.Replace("2500", "250000"), StripeSignature.Header(json));
        var unsigned = await PostAsync(app, json, signature: null);
        var garbled = await PostAsync(app, json, "t=abc,v1=xyz");

        foreach (var r in new[] { forged, stale, future, tampered, unsigned, garbled })
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
        Assert.Contains("does not match", await forged.Content.ReadAsStringAsync());
        Assert.Contains("timestamp", await stale.Content.ReadAsStringAsync());
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task Malformed_bodies_are_rejected_even_when_correctly_signed()
    {
        await using var app = await DonationsApp.StartAsync();
        string[] bodies =
        [
            "not json at all",
            "[1, 2, 3]",
            """{"object":"event","type":"charge.refunded","created":1760000000}""",
            """{"id":"evt_1","object":"event","created":1760000000}""",
            """{"id":"evt_1","object":"event","type":"charge.refunded","created":"yesterday"}""",
            """{"id":"evt_1","object":"event","type":"charge.refunded","created":1760000000""",
        ];

        foreach (var body in bodies)
        {
            var response = await app.PostWebhookAsync(body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("not a Stripe event", await response.Content.ReadAsStringAsync());
        }
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task A_body_over_256_KiB_is_refused_with_413()
    {
        await using var app = await DonationsApp.StartAsync();
        var evt = JsonNode.Parse(new OneTimeGift().CheckoutCompleted())!;
        evt["data"]!["object"]!["metadata"]!["padding"] = new string('x', 300 * 1024);
        var json = evt.ToJsonString();

        var declared = await app.PostWebhookAsync(json);
        var chunked = await PostAsync(app, json, StripeSignature.Header(json), chunked: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Contains("256 KiB", await declared.Content.ReadAsStringAsync());
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task An_event_signed_with_a_rotated_in_secret_is_accepted()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Settings["Stripe:WebhookSecrets:1"] = StripeSignature.OtherSecret);
        var json = new OneTimeGift().CheckoutCompleted();

        var response = await app.PostWebhookAsync(json, secret: StripeSignature.OtherSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await app.WaitForEventsAsync(json);
    }

    [Fact]
    public async Task An_unknown_event_type_is_recorded_ignored_and_acknowledged()
    {
        await using var app = await DonationsApp.StartAsync();
        var json = StripeEventFactory.Event("customer.tax_id.created", new JsonObject
        {
            ["id"] = StripeEventFactory.NewId("txi"), ["object"] = "tax_id", ["type"] = "eu_vat", ["value"] = "DE123456789",
        });

        await app.DeliverAndProcessAsync(json);

        var row = await app.WithDbAsync(db => db.StripeEvents.SingleAsync());
        Assert.Equal(StripeEventStatus.Ignored, row.Status);
        Assert.Equal("customer.tax_id.created", row.Type);
        Assert.Null(row.Error);
    }

    [Fact]
    public async Task An_event_of_another_API_version_is_kept_as_failed_with_an_explanation_and_acknowledged()
    {
        await using var app = await DonationsApp.StartAsync();
        var gift = new OneTimeGift();
        var json = StripeEventFactory.Event("checkout.session.completed",
            (JsonObject)JsonNode.Parse(gift.CheckoutCompleted())!["data"]!["object"]!.DeepClone(), apiVersion: "2025-03-31.basil");

        var response = await app.PostWebhookAsync(json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = await app.WithDbAsync(db => db.StripeEvents.SingleAsync());
        Assert.Equal(StripeEventStatus.Failed, row.Status);
        Assert.Equal("2025-03-31.basil", row.ApiVersion);
        Assert.Contains("API version 2025-03-31.basil is not supported", row.Error);
        Assert.Contains("2026-10-28.endive", row.Error);
        // A later event of the right version is dispatched and processed: the dispatcher has had
        // its turn at the kept one, and passed it over.
        var later = new OneTimeGift();
        await app.DeliverAndProcessAsync(later.CheckoutCompleted());
        var kept = StripeEventFactory.IdOf(json);
        Assert.Null(await app.WithDbAsync(db => db.StripeEvents.Where(e => e.Id == kept).Select(e => e.EnqueuedAt).SingleAsync()));
        Assert.Equal(StripeEventStatus.Failed, await app.WithDbAsync(db => db.StripeEvents.Where(e => e.Id == kept).Select(e => e.Status).SingleAsync()));
        Assert.Equal(later.PaymentIntentId, await app.WithDbAsync(db => db.Donations.Select(d => d.StripePaymentIntentId).SingleAsync()));
    }

    [Fact]
    public async Task Delivery_while_the_database_is_down_answers_503_so_Stripe_retries()
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var cs = await pg.CreateDatabaseAsync();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.ConnectionString = cs;
            o.HangfireServer = false;
        });
        var json = new OneTimeGift().CheckoutCompleted();

        await pg.StopAsync();
        var whileDown = await app.PostWebhookAsync(json);
        await pg.StartAsync();
        var afterwards = await app.PostWebhookAsync(json);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileDown.StatusCode);
        Assert.Equal("application/problem+json", whileDown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.StripeEvents.CountAsync()));
    }

    [Fact]
    public async Task Without_webhook_secrets_the_endpoint_says_Stripe_is_not_configured()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Environment = "Development";
            o.Settings["Stripe:WebhookSecrets:0"] = null;
            o.Settings["Stripe:SecretKey"] = null;
        });

        var response = await app.PostWebhookAsync(new OneTimeGift().CheckoutCompleted());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Stripe:WebhookSecrets", await response.Content.ReadAsStringAsync());
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task A_web_only_node_records_and_dispatches_events_that_a_worker_node_processes()
    {
        await using var web = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
        });
        var events = Enumerable.Range(0, 5).Select(i => new OneTimeGift(Amount: 1000 + i).CheckoutCompleted()).ToArray();
        var ids = events.Select(StripeEventFactory.IdOf).ToList();

        // Alone, the web-only node hands every event to Hangfire: no other node could have.
        await web.DeliverAsync(events);
        await Wait.UntilAsync(async () => await web.WithDbAsync(db => db.StripeEvents.CountAsync(e => ids.Contains(e.Id) && e.EnqueuedAt != null)) == ids.Count,
            TimeSpan.FromSeconds(30), "the web-only node to dispatch every event");
        Assert.Equal(0, await web.WithDbAsync(db => db.StripeEvents.CountAsync(e => e.Status != StripeEventStatus.Received)));

        await using var worker = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.ConnectionString = web.ConnectionString;
            o.Stripe = web.Stripe;
        });
        await web.WaitForEventsAsync(events);

        Assert.Equal(5, await worker.WithDbAsync(db => db.Donations.CountAsync()));
    }

    private static async Task AssertNothingStoredAsync(DonationsApp app)
    {
        Assert.Equal(0, await app.WithDbAsync(db => db.StripeEvents.CountAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Donations.CountAsync()));
    }

    private static Task<HttpResponseMessage> PostAsync(DonationsApp app, string body, string? signature, bool chunked = false) =>
        app.Client.SendAsync(StripeSignature.WebhookRequest(body, signature, chunked: chunked));
}
