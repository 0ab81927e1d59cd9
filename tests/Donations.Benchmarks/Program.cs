using Donations.Benchmarks;

// dotnet run -c Release --project tests/Donations.Benchmarks -- <webhooks|receipts|mail|statements|e2e|burst|revenue|all>
//     [--seconds N] [--connections N] [--count N] [--donors N] [--gifts N] [--rate N] [--warmup N] [--sink smtp|pickup]
//     [--set Key=Value ...] (a setting for every service started, e.g. --set Hangfire:WorkerCount=4)
var what = args.FirstOrDefault(a => !a.StartsWith("--") && !a.Contains('=')) ?? "webhooks";
for (var i = 0; i + 1 < args.Length; i++)
    if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var key, var value]) BenchmarkEnvironment.Overrides[key] = value;
var seconds = Option("--seconds", 20);
var connections = Option("--connections", 32);

Console.WriteLine($"Machine: {BenchmarkEnvironment.Machine()}");
Console.WriteLine($"Started {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchmarkEnvironment.LoadAverage()}");
if (BenchmarkEnvironment.Overrides.Count > 0)
    Console.WriteLine($"Service settings given: {string.Join(", ", BenchmarkEnvironment.Overrides.Select(o => $"{o.Key}={o.Value}"))}");

if (what is "webhooks" or "all")
{
    Console.WriteLine($"webhooks: {connections} connections, {seconds} s per phase");
    var (baseline, web, full) = await WebhookIngestBenchmark.RunAsync(connections, TimeSpan.FromSeconds(seconds));
    Console.WriteLine(baseline.Load);
    Console.WriteLine($"  {baseline.PerRequest}");
    foreach (var service in new[] { web, full })
    {
        Console.WriteLine(service.Load);
        Console.WriteLine($"  {service.Load.PerSecond / baseline.Load.PerSecond:P0} of baseline throughput (web node goal >= 85%), p99 {service.Load.P99Ms:F1} ms (web node goal <= 20 ms)");
        Console.WriteLine($"  {service.PerRequest}");
        Console.WriteLine($"  {service.DispatchLag}");
    }
}

if (what is "receipts" or "all")
{
    var count = Option("--count", 1500);
    var rounds = Option("--rounds", 3);
    Console.WriteLine($"receipts: {count} receipts, median of {rounds} rounds");
    var (raw, service) = await ReceiptsBenchmark.RunAsync(count, rounds);
    Console.WriteLine(raw);
    Console.WriteLine(service);
    Console.WriteLine($"receipts: {service.PerSecond / raw.PerSecond:P0} of raw MailKit (goal >= 75%)");
}

if (what is "mail" or "all")
{
    var count = Option("--count", 20_000);
    var rounds = Option("--rounds", 5);
    Console.WriteLine($"mail: a receipt-sized message composed and written, {count} per round, median of {rounds} rounds");
    Console.WriteLine(MailBodyBenchmark.Run(count, rounds));
}

if (what is "e2e" or "all")
{
    var rate = Option("--rate", 20);
    var warmup = Option("--warmup", 10);
    Console.WriteLine($"e2e: {rate} gifts/s for {seconds} s, after {warmup} s at that rate to warm the node up");
    Console.WriteLine(await EndToEndLatencyBenchmark.RunAsync(rate, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup)));
    Console.WriteLine("  goal at 100 gifts/s: p50 <= 1 s, p99 <= 5 s, every receipt exactly once");
}

if (what is "burst" or "all")
{
    // --seconds is the baseline's measured phase here; the burst itself lasts as long as it takes.
    var gifts = Option("--count", 10_000);
    var warmGifts = Option("--warm-gifts", 1_000);
    Console.WriteLine($"burst: {gifts} gifts over {connections} connections, after {warmGifts} warm-up gifts drained; " +
                      $"ingest baseline {Option("--warmup", 10)} s warm-up + {seconds} s");
    Console.WriteLine(await BurstBenchmark.RunAsync(gifts, warmGifts, connections, TimeSpan.FromSeconds(Option("--warmup", 10)), TimeSpan.FromSeconds(seconds)));
}

if (what is "statements" or "all")
{
    // The same run at a tenth of the size first: time should grow tenfold, memory not at all.
    var donors = Option("--donors", 100_000);
    var pickup = Text("--sink", "smtp") == "pickup";
    var small = await StatementRunBenchmark.RunAsync(donors / 10, Option("--gifts", 12), pickup);
    Console.WriteLine(small);
    var large = await StatementRunBenchmark.RunAsync(donors, Option("--gifts", 12), pickup);
    Console.WriteLine(large);
    Console.WriteLine($"statements: 10x the donors took {large.Elapsed / small.Elapsed:F1}x the time; peak RSS {small.PeakRssMiB} -> {large.PeakRssMiB} MiB " +
        $"(goal at 100,000 donors: peak <= 300 MB = 286 MiB, flat from 10,000, wall <= 2 min)");
}

if (what is "revenue" or "all")
{
    // --gifts is the year's gift count here (statements read it as gifts per donor), so "all" runs the full size.
    var gifts = what == "all" ? 1_000_000 : Option("--gifts", 1_000_000);
    Console.WriteLine($"revenue: a year of {gifts} gifts, the page viewed once cold and {Option("--views", 5)} times after");
    Console.WriteLine(await RevenueBenchmark.RunAsync(gifts, Option("--views", 5)));
}

Console.WriteLine($"Finished {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchmarkEnvironment.LoadAverage()}");
return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}

string Text(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
