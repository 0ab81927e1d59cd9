using System.Diagnostics;
using Donations.Tests.Infrastructure;
using Npgsql;

namespace Donations.Benchmarks;

/// <summary>
/// A year-end statement run over many donors (100,000 by default) on PostgreSQL: the service's own
/// Hangfire workers send through the pickup folder, which this benchmark empties as it fills so the
/// disk holds a few files rather than gigabytes. Reports donors per second end to end.
/// </summary>
public static class StatementRunBenchmark
{
    public sealed record Result(int Donors, int Sent, TimeSpan Elapsed, long MaxFilesWaiting)
    {
        public override string ToString() =>
            $"statements: {Sent} of {Donors} donors in {Elapsed.TotalSeconds:F0} s = {Sent / Elapsed.TotalSeconds:F0} statements/s " +
            $"(at most {MaxFilesWaiting} messages waiting in the pickup folder)";
    }

    public static async Task<Result> RunAsync(int donors)
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var cs = await pg.CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("donations-bench-").FullName;
        var outbox = Path.Combine(dir, "outbox");
        var settings = BenchmarkEnvironment.ServiceSettings(cs, dir);
        await using var service = await ServiceProcess.StartAsync(settings, dir);
        await using (var db = new NpgsqlConnection(cs))
        {
            await db.OpenAsync();
            await using var seed = new NpgsqlCommand(BulkGivers.Sql(donors, 2025), db) { CommandTimeout = 600 };
            await seed.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        await using (var start = await ServiceProcess.StartAsync(settings, dir, args: ["statements", "send", "--year", "2025", "--no-wait"], waitUntilLive: false))
            if (await start.WaitForExitAsync() != 0) throw new InvalidOperationException(start.Output);

        long maxWaiting = 0;
        var sent = 0;
        while (true)
        {
            if (Directory.Exists(outbox))
            {
                var files = Directory.GetFiles(outbox, "*.eml");
                maxWaiting = Math.Max(maxWaiting, files.Length);
                foreach (var f in files) File.Delete(f);
            }
            await using var db = new NpgsqlConnection(cs);
            await db.OpenAsync();
            await using var query = new NpgsqlCommand("""SELECT "Status", "Sent" FROM "StatementRuns" ORDER BY "Id" DESC LIMIT 1""", db);
            await using var row = await query.ExecuteReaderAsync();
            if (await row.ReadAsync())
            {
                sent = row.GetInt32(1);
                if (row.GetString(0) == "Completed") break;
            }
            await Task.Delay(500);
        }
        clock.Stop();
        Directory.Delete(dir, recursive: true);
        return new Result(donors, sent, clock.Elapsed, maxWaiting);
    }
}
