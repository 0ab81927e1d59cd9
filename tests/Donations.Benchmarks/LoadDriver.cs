using System.Diagnostics;

namespace Donations.Benchmarks;

public sealed record LoadResult(string Name, int Requests, int Errors, TimeSpan Elapsed, double P50Ms, double P95Ms, double P99Ms)
{
    public double PerSecond => Requests / Elapsed.TotalSeconds;
    public override string ToString() =>
        $"{Name,-34} {PerSecond,9:F0} req/s  p50 {P50Ms,6:F1} ms  p95 {P95Ms,6:F1} ms  p99 {P99Ms,6:F1} ms  ({Requests} ok, {Errors} errors)";
}

/// <summary>
/// A closed-loop HTTP load generator: <c>connections</c> workers each send a request, wait for
/// the answer, and send the next, for a fixed time after a warm-up. Each request is built fresh
/// (a webhook needs a unique event id and its own signature, which a static-body tool cannot do).
/// </summary>
public static class LoadDriver
{
    public static async Task<LoadResult> RunAsync(string name, Uri baseAddress, int connections, TimeSpan warmUp, TimeSpan duration,
        Func<int, HttpRequestMessage> request, Action? measuring = null)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var counter = 0;

        await RunPhaseAsync(warmUp, record: false);
        measuring?.Invoke();
        return await RunPhaseAsync(duration, record: true);

        async Task<LoadResult> RunPhaseAsync(TimeSpan length, bool record)
        {
            var latencies = new List<double>[connections];
            var errors = 0;
            var stopAt = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, connections).Select(async worker =>
            {
                var mine = latencies[worker] = new List<double>(16_384);
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    using var message = request(Interlocked.Increment(ref counter));
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await http.SendAsync(message);
                        if (response.IsSuccessStatusCode) mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        else Interlocked.Increment(ref errors);
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            }));
            clock.Stop();
            var all = latencies.SelectMany(l => l).Order().ToArray();
            return record
                ? new LoadResult(name, all.Length, errors, clock.Elapsed, Percentile(all, 50), Percentile(all, 95), Percentile(all, 99))
                : new LoadResult(name, 0, 0, clock.Elapsed, 0, 0, 0);
        }
    }

    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
}
