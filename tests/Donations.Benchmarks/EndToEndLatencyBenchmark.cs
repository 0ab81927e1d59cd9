using System.Diagnostics;
using Donations.Tests.Infrastructure;

namespace Donations.Benchmarks;

public sealed record LatencyResult(string Name, double Rate, int Sent, int Received, double P50Ms, double P95Ms, double P99Ms,
    double SustainedPerSecond, ReceiptDelivery Delivery)
{
    public override string ToString() =>
        $"{Name,-44} at {Rate:F0} gifts/s: p50 {P50Ms,6:F0} ms  p95 {P95Ms,6:F0} ms  p99 {P99Ms,6:F0} ms  ({Received}/{Sent} receipts; " +
        $"{SustainedPerSecond:F0} gifts/s from the first webhook to the last receipt)\n  {Delivery}";
}

/// <summary>
/// Signed webhook in → receipt email in the SMTP sink, under a steady open-loop load (a fixed
/// number of gifts per second, each its own donor), measured per gift from the moment its
/// webhook is sent to the moment its receipt arrives; then every gift's receipt counted.
/// </summary>
public static class EndToEndLatencyBenchmark
{
    public static async Task<LatencyResult> RunAsync(double perSecond, TimeSpan duration, TimeSpan warmup, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var cs = await pg.CreateDatabaseAsync();
        using var scratch = new ScratchDirectory();
        var dir = scratch.Path;
        await using var sink = NoDelaySmtpSink.Start();
        var settings = BenchmarkEnvironment.ServiceSettings(cs, dir, sink.Port);
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;
        await using var service = await ServiceProcess.StartAsync(settings, dir);
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var runId = Guid.NewGuid().ToString("N")[..8];

        // Warm-up at the measured rate: the first thousands of gifts pay for JIT and its tiering
        // (tens of thousands of methods, recompiled once hot), template compilation and connection
        // pools, as a node that has been up for a while has long done. Drained before measuring.
        var warm = Math.Max(20, (int)(perSecond * warmup.TotalSeconds));
        await SendAsync(http, $"warm{runId}", warm, perSecond);
        await Wait.UntilAsync(() => Task.FromResult(sink.Count >= warm), TimeSpan.FromMinutes(10), "warm-up receipts");
        await BenchmarkEnvironment.AnalyzeAsync(cs);
        sink.Clear();

        var count = (int)(perSecond * duration.TotalSeconds);
        var prefix = $"e2e-{runId}-";
        var sentAt = await SendAsync(http, runId, count, perSecond);
        // A node slower than the rate still finishes; its backlog shows in the percentiles.
        await ReceiptDelivery.WaitForArrivalsAsync(sink, count, idle: TimeSpan.FromMinutes(1));

        var arrivals = ReceiptDelivery.Arrivals(sink).Where(a => sentAt.ContainsKey(a.Email))
            .GroupBy(a => a.Email).ToDictionary(g => g.Key, g => g.Min(a => a.At));
        var latencies = arrivals.Select(a => Stopwatch.GetElapsedTime(sentAt[a.Key], a.Value).TotalMilliseconds).Order().ToArray();
        var sustained = arrivals.Count == 0 ? 0 : arrivals.Count / Stopwatch.GetElapsedTime(sentAt.Values.Min(), arrivals.Values.Max()).TotalSeconds;
        var delivery = await ReceiptDelivery.CheckAsync(cs, sink, sentAt.Keys, prefix);
        return new LatencyResult("end to end: webhook -> receipt in SMTP sink", perSecond, count, latencies.Length,
            LoadDriver.Percentile(latencies, 50), LoadDriver.Percentile(latencies, 95), LoadDriver.Percentile(latencies, 99),
            sustained, delivery);
    }

    /// <summary>Sends gifts at a fixed rate regardless of how fast answers come (open loop).</summary>
    private static async Task<Dictionary<string, long>> SendAsync(HttpClient http, string runId, int count, double perSecond)
    {
        var sentAt = new Dictionary<string, long>();
        var inFlight = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / perSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var email = $"e2e-{runId}-{i}@example.com";
            var json = WebhookIngestBenchmark.StripeShapedEvent($"evt_e2e_{runId}_{i}", email);
            sentAt[email] = Stopwatch.GetTimestamp();
            inFlight.Add(PostAsync(http, json));
        }
        await Task.WhenAll(inFlight);
        return sentAt;
    }

    private static async Task PostAsync(HttpClient http, string json)
    {
        using var response = await http.SendAsync(StripeSignature.SignedWebhook(json));
        response.EnsureSuccessStatusCode();
    }
}
