using System.Text;
using Donations.Tests.Infrastructure;

namespace Donations.Benchmarks;

/// <summary>
/// Webhook ingest on PostgreSQL: the service's POST /stripe/webhook (verify, inbox row, hand-off
/// to Hangfire) against <see cref="BaselineWebhookServer"/> (verify + one INSERT) on the same
/// database, at the same concurrency, in the same run.
/// </summary>
public static class WebhookIngestBenchmark
{
    public static async Task<(LoadResult Baseline, LoadResult Service)> RunAsync(int connections, TimeSpan duration)
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var cs = await pg.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("donations-bench-").FullName;
        var runId = Guid.NewGuid().ToString("N")[..8];

        LoadResult baseline;
        await using (var server = await BaselineWebhookServer.StartAsync(cs, StripeSignature.Secret))
            baseline = await LoadDriver.RunAsync("baseline: HMAC + INSERT", server.Address, connections,
                TimeSpan.FromSeconds(3), duration, i => Request($"evt_base_{runId}_{i}"));

        await using var service = await ServiceProcess.StartAsync(BenchmarkEnvironment.ServiceSettings(cs, dir), dir);
        var result = await LoadDriver.RunAsync("service: POST /stripe/webhook", service.BaseAddress, connections,
            TimeSpan.FromSeconds(3), duration, i => Request($"evt_svc_{runId}_{i}"));
        return (baseline, result);
    }

    private static HttpRequestMessage Request(string eventId) => SignedEvent.Request(StripeShapedEvent(eventId));

    /// <summary>A paid one-time Checkout Session, the commonest event, shaped and sized like Stripe's (~2 KB).</summary>
    public static string StripeShapedEvent(string id, string? email = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var n = id.GetHashCode() & 0x7fffffff;
        return $$"""
        {"id":"{{id}}","object":"event","api_version":"2026-10-28.endive","created":{{now}},"livemode":false,"pending_webhooks":1,
         "request":{"id":null,"idempotency_key":null},"type":"checkout.session.completed",
         "data":{"object":{"id":"cs_test_{{id}}","object":"checkout.session","mode":"payment","status":"complete","payment_status":"paid",
          "amount_subtotal":2500,"amount_total":2500,"currency":"usd","customer":"cus_{{n}}","customer_email":null,
          "customer_details":{"email":"{{email ?? $"reader{n}@example.com"}}","name":"Reader {{n}}","address":null,"phone":null,"tax_exempt":"none","tax_ids":[]},
          "payment_intent":"pi_{{id}}","invoice":null,"subscription":null,"submit_type":"donate","livemode":false,"created":{{now}},
          "metadata":{"frequency":"one-time","cover_fee":"false","fee_amount":"0","gift_amount":"2500"},
          "success_url":"https://donate.example.org/donate/thank-you?session_id=cs","cancel_url":"https://donate.example.org/donate/canceled"} } }
        """;
    }
}
