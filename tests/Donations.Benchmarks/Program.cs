using Donations.Benchmarks;

// dotnet run -c Release --project tests/Donations.Benchmarks -- <webhooks|receipts|statements|e2e|all>
//     [--seconds N] [--connections N] [--count N] [--donors N] [--gifts N] [--rate N]
var what = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "webhooks";
var seconds = Option("--seconds", 20);
var connections = Option("--connections", 32);

Console.WriteLine($"Machine: {BenchmarkEnvironment.Machine()}");
Console.WriteLine($"Started {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchmarkEnvironment.LoadAverage()}");

if (what is "webhooks" or "all")
{
    Console.WriteLine($"webhooks: {connections} connections, {seconds} s per phase");
    var (baseline, web, full) = await WebhookIngestBenchmark.RunAsync(connections, TimeSpan.FromSeconds(seconds));
    Console.WriteLine(baseline);
    foreach (var service in new[] { web, full })
    {
        Console.WriteLine(service);
        Console.WriteLine($"  {service.PerSecond / baseline.PerSecond:P0} of baseline throughput (goal >= 50%), p99 {service.P99Ms:F1} ms (goal < 50 ms)");
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
    Console.WriteLine($"receipts: {service.PerSecond / raw.PerSecond:P0} of raw MailKit (goal >= 50%)");
}

if (what is "e2e" or "all")
{
    var rate = Option("--rate", 20);
    Console.WriteLine($"e2e: {rate} gifts/s for {seconds} s");
    Console.WriteLine(await EndToEndLatencyBenchmark.RunAsync(rate, TimeSpan.FromSeconds(seconds)));
}

if (what is "statements" or "all")
{
    // The same run at a tenth of the size first: time should grow tenfold, memory not at all.
    var donors = Option("--donors", 100_000);
    Console.WriteLine(await StatementRunBenchmark.RunAsync(donors / 10, Option("--gifts", 12)));
    Console.WriteLine(await StatementRunBenchmark.RunAsync(donors, Option("--gifts", 12)));
}

Console.WriteLine($"Finished {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchmarkEnvironment.LoadAverage()}");
return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}
