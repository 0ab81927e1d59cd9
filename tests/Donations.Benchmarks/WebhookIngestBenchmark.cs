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
    /// <summary>
    /// Long enough on a 2-core machine for tiered JIT to reach the service's optimised code: a
    /// profile showed the tiering thread still busy (a quarter of the service's CPU) 15 s in.
    /// </summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20);

    public static async Task<(Measured Baseline, Measured WebNode, Measured FullNode)> RunAsync(int connections, TimeSpan duration)
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var runId = Guid.NewGuid().ToString("N")[..8];

        Measured baseline;
        var baselineDb = await pg.CreateDatabaseAsync();
        await using (var server = await BaselineWebhookServer.StartAsync(baselineDb, StripeSignature.Secret))
        {
            // The baseline runs inside this process beside the load driver: only its database's CPU is its own.
            var start = double.NaN;
            var load = await LoadDriver.RunAsync("baseline: HMAC + INSERT", server.Address, connections,
                WarmUp, duration, i => Request($"evt_base_{runId}_{i}"), () => start = ProcessCpu.PostgresClusterSeconds(pg.Port));
            baseline = new Measured(load, new CpuSpent(double.NaN, ProcessCpu.PostgresClusterSeconds(pg.Port) - start));
        }

        // Ingest alone, as a web-only node takes it (Hangfire:ServerEnabled=false): verify, inbox
        // row, and the dispatcher's hand-off to Hangfire; another node would process the events.
        var web = await RunServiceAsync(pg, "service, web node: POST /stripe/webhook", connections, duration, runId + "w",
            new() { ["Hangfire:ServerEnabled"] = "false" });
        // The same while this node also processes every event and writes every receipt (PDF) on the same cores.
        var full = await RunServiceAsync(pg, "service, full node: POST /stripe/webhook", connections, duration, runId + "f", []);
        return (baseline, web, full);
    }

    /// <summary>A service's run and the CPU it and the database spent in its measured phase (not the warm-up).</summary>
    public sealed record Measured(LoadResult Load, CpuSpent Cpu)
    {
        /// <summary>How far the node's dispatcher was behind ingest when the load stopped (services only).</summary>
        public string? DispatchLag { get; init; }

        public string PerRequest =>
            $"CPU per request: service {1000 * Cpu.Service / Load.Requests:F2} ms, PostgreSQL {1000 * Cpu.Database / Load.Requests:F2} ms " +
            "(compares across runs where rates do not)";
    }

    private static async Task<Measured> RunServiceAsync(PostgresServer pg, string name, int connections, TimeSpan duration,
        string runId, Dictionary<string, string?> overrides)
    {
        var cs = await pg.CreateDatabaseAsync();
        using var scratch = new ScratchDirectory();
        var dir = scratch.Path;
        var settings = BenchmarkEnvironment.ServiceSettings(cs, dir);
        foreach (var (k, v) in overrides) settings[k] = v;
        await using var service = await ServiceProcess.StartAsync(settings, dir);
        CpuSpent? start = null;
        var load = await LoadDriver.RunAsync(name, service.BaseAddress, connections,
            WarmUp, duration, i => Request($"evt_svc_{runId}_{i}"), () => start = CpuSpent.Read(service.ProcessId, pg.Port));
        var cpu = CpuSpent.Read(service.ProcessId, pg.Port).Since(start!);
        return new Measured(load, cpu) { DispatchLag = await DispatchLagAsync(cs) };
    }

    /// <summary>
    /// Events not yet handed to Hangfire when the load stopped, and how long the dispatcher took to
    /// hand them all over: whether dispatch keeps up with ingest, and how fast it catches up.
    /// </summary>
    private static async Task<string> DispatchLagAsync(string connectionString)
    {
        await using var db = new Npgsql.NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM \"StripeEvents\" WHERE \"Status\" = 'Received' AND \"EnqueuedAt\" IS NULL", db);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var atStop = (long)(await count.ExecuteScalarAsync())!;
        var waiting = atStop;
        while (waiting > 0 && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(100);
            waiting = (long)(await count.ExecuteScalarAsync())!;
        }
        return waiting == 0
            ? $"dispatcher: {atStop} events waiting when the load stopped, all handed to Hangfire {clock.Elapsed.TotalSeconds:F1} s later"
            : $"dispatcher: {atStop} events waiting when the load stopped, {waiting} still waiting after 60 s";
    }

    private static HttpRequestMessage Request(string eventId) => StripeSignature.SignedWebhook(StripeShapedEvent(eventId));

    /// <summary>A paid one-time Checkout Session, the commonest event, shaped and sized like Stripe's (~2 KB).</summary>
    public static string StripeShapedEvent(string id, string? email = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var n = id.GetHashCode() & 0x7fffffff;
        // Customer and default address from the (unique) event id, never from its 31-bit hash: two
        // gifts of a 10,000-gift run shared a hash often enough to merge two donors into one.
        var key = id.StartsWith("evt_", StringComparison.Ordinal) ? id[4..] : id;
        return $$"""
        {"id":"{{id}}","object":"event","api_version":"2026-10-28.endive","created":{{now}},"livemode":false,"pending_webhooks":1,
         "request":{"id":null,"idempotency_key":null},"type":"checkout.session.completed",
         "data":{"object":{"id":"cs_test_{{id}}","object":"checkout.session","mode":"payment","status":"complete","payment_status":"paid",
          "amount_subtotal":2500,"amount_total":2500,"currency":"usd","customer":"cus_{{key}}","customer_email":null,
          "customer_details":{"email":"{{email ?? $"reader-{key}@example.com"}}","name":"Reader {{n}}","address":null,"phone":null,"tax_exempt":"none","tax_ids":[]},
          "payment_intent":"pi_{{id}}","invoice":null,"subscription":null,"submit_type":"donate","livemode":false,"created":{{now}},
          "metadata":{"frequency":"one-time","cover_fee":"false","fee_amount":"0","gift_amount":"2500"},
          "success_url":"https://donate.example.org/donate/thank-you?session_id=cs","cancel_url":"https://donate.example.org/donate/canceled"} } }
        """;
    }
}
