using System.Diagnostics;
using Donations.Tests.Infrastructure;

namespace Donations.Benchmarks;

public sealed record BurstResult(int Gifts, LoadResult Baseline, TimeSpan Ingest, int Connections, TimeSpan ToLastReceipt, ReceiptDelivery Delivery, CpuSpent Cpu)
{
    public double IngestPerSecond => Gifts / Ingest.TotalSeconds;
    /// <summary>Gifts through to the sink per second, from the first webhook sent to the last receipt in.</summary>
    public double DrainPerSecond => Delivery.Donors / ToLastReceipt.TotalSeconds;
    public double Ratio => DrainPerSecond / Baseline.PerSecond;

    public override string ToString() =>
        $"{Baseline}\n" +
        $"burst: {Gifts} gifts taken in {Ingest.TotalSeconds:F1} s ({IngestPerSecond:F0} gifts/s over {Connections} connections); " +
        $"last receipt in the sink after {ToLastReceipt.TotalSeconds:F1} s\n" +
        $"burst: full node drains {DrainPerSecond:F0} gifts/s to the sink = {Ratio:P1} of the baseline's ingest " +
        $"(goal >= 300 gifts/s and >= 7.5 %)\n  {Cpu.PerGift(Gifts)}\n  {Delivery}";
}

/// <summary>
/// A burst (a GivingTuesday hour, a viral article): many gifts posted as fast as one full node
/// takes them, each its own donor, then drained to the SMTP sink. Reported beside the bare
/// HMAC + INSERT ingest baseline measured in the same run against the same PostgreSQL cluster.
/// </summary>
public static class BurstBenchmark
{
    public static async Task<BurstResult> RunAsync(int gifts, int warmGifts, int connections, TimeSpan baselineWarmUp, TimeSpan baselineDuration)
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var runId = Guid.NewGuid().ToString("N")[..8];

        LoadResult baseline;
        await using (var server = await BaselineWebhookServer.StartAsync(await pg.CreateDatabaseAsync(), StripeSignature.Secret))
            baseline = await LoadDriver.RunAsync("baseline: HMAC + INSERT", server.Address, connections, baselineWarmUp, baselineDuration,
                i => StripeSignature.SignedWebhook(WebhookIngestBenchmark.StripeShapedEvent($"evt_base_{runId}_{i}")));

        var cs = await pg.CreateDatabaseAsync();
        using var scratch = new ScratchDirectory();
        var dir = scratch.Path;
        await using var sink = NoDelaySmtpSink.Start();
        await using var service = await ServiceProcess.StartAsync(BenchmarkEnvironment.ServiceSettings(cs, dir, sink.Port), dir);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections };
        using var http = new HttpClient(handler) { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        // Warm-up, drained before the burst: the first gifts pay for JIT (each hot method is compiled
        // again, optimised, after its first thirty calls), template compilation and connection
        // pools, as a node in service has long since paid.
        var warm = Emails($"burst-warm{runId}-", warmGifts);
        await PostAllAsync(http, warm, connections, runId + "w");
        await Wait.UntilAsync(() => Task.FromResult(sink.Count >= warmGifts), TimeSpan.FromMinutes(5), "warm-up receipts");
        await ReceiptDelivery.CheckAsync(cs, sink, warm, $"burst-warm{runId}-");
        await BenchmarkEnvironment.AnalyzeAsync(cs);
        sink.Clear();

        var prefix = $"burst-{runId}-";
        var emails = Emails(prefix, gifts);
        var cpu = CpuSpent.Read(service.ProcessId, pg.Port);
        var start = Stopwatch.GetTimestamp();
        await PostAllAsync(http, emails, connections, runId);
        var ingest = Stopwatch.GetElapsedTime(start);
        Console.WriteLine($"  {gifts} gifts taken in {ingest.TotalSeconds:F1} s; draining");
        await ReceiptDelivery.WaitForArrivalsAsync(sink, gifts, idle: TimeSpan.FromMinutes(1));
        var spent = CpuSpent.Read(service.ProcessId, pg.Port).Since(cpu);
        var last = sink.ArrivalTicks.DefaultIfEmpty(start).Max();
        var delivery = await ReceiptDelivery.CheckAsync(cs, sink, emails, prefix);
        if (!delivery.ExactlyOnce)
            Console.WriteLine("  the service wrote (last 60 lines):\n" + string.Join('\n', service.Output.Split('\n').TakeLast(60)));
        Directory.Delete(dir, recursive: true);
        return new BurstResult(gifts, baseline, ingest, connections, Stopwatch.GetElapsedTime(start, last), delivery, spent);
    }

    private static List<string> Emails(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}@example.com").ToList();

    /// <summary>Closed loop: each connection posts its next gift as soon as the last one is answered.</summary>
    private static async Task PostAllAsync(HttpClient http, List<string> emails, int connections, string runId)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < emails.Count)
            {
                var json = WebhookIngestBenchmark.StripeShapedEvent($"evt_burst_{runId}_{i}", emails[i]);
                using var response = await http.SendAsync(StripeSignature.SignedWebhook(json));
                response.EnsureSuccessStatusCode();
            }
        }));
    }
}
