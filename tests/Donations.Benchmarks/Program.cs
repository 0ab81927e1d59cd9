using Donations.Benchmarks;

// dotnet run -c Release --project tests/Donations.Benchmarks -- [webhooks|statements|all] [--seconds N] [--connections N] [--donors N]
var what = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "webhooks";
var seconds = Option("--seconds", 20);
var connections = Option("--connections", 32);

Console.WriteLine($"Machine: {BenchmarkEnvironment.Machine()}");
Console.WriteLine($"Started {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {connections} connections, {seconds} s per phase");

if (what is "webhooks" or "all")
{
    var (baseline, service) = await WebhookIngestBenchmark.RunAsync(connections, TimeSpan.FromSeconds(seconds));
    Console.WriteLine(baseline);
    Console.WriteLine(service);
    Console.WriteLine($"webhook ingest: {service.PerSecond / baseline.PerSecond:P0} of baseline throughput (goal >= 50%), p99 {service.P99Ms:F1} ms (goal < 50 ms)");
}

if (what is "statements" or "all")
    Console.WriteLine(await StatementRunBenchmark.RunAsync(Option("--donors", 100_000)));

return 0;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
}
