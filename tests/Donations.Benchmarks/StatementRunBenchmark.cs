using System.Diagnostics;
using Donations.Tests.Infrastructure;
using Npgsql;

namespace Donations.Benchmarks;

/// <summary>
/// A year-end statement run over many donors (100,000 by default), each with 12 monthly gifts and
/// their sent receipts, on PostgreSQL: the service's own Hangfire workers send over SMTP, as a
/// deployment does, to a loopback sink in this process that counts what it takes; or, with
/// <c>--sink pickup</c>, to the pickup folder, which this benchmark empties as it fills so the disk
/// holds a few files rather than gigabytes (creating and deleting a file per statement costs the
/// kernel more than the SMTP conversation). Reports wall time, donors per second, CPU per statement
/// of the service and of PostgreSQL, and the service process's resident memory: its peak (VmHWM) and
/// samples along the run, to show whether memory stays flat as the run grows.
/// </summary>
public static class StatementRunBenchmark
{
    /// <param name="Elapsed">The run as the service recorded it, from its start to its completion.</param>
    /// <param name="Starting">The <c>statements send</c> command: a process of its own, which starts the run and ends.</param>
    public sealed record Result(int Donors, int GiftsPerDonor, int Sent, TimeSpan Elapsed, TimeSpan Starting, string Sink, long PeakRssMiB, string RssAlongRun, CpuSpent Cpu)
    {
        public override string ToString() =>
            $"statements: {Sent} of {Donors} donors x {GiftsPerDonor} gifts in {Elapsed.TotalSeconds:F0} s = {Sent / Elapsed.TotalSeconds:F0} statements/s " +
            $"(the run's start to its completion; the command that started it took {Starting.TotalSeconds:F1} s before it) ({Sink}); " +
            $"service peak RSS {PeakRssMiB} MiB, RSS along the run (MiB) {RssAlongRun}; " +
            $"CPU per statement: service {1000 * Cpu.Service / Math.Max(Sent, 1):F2} ms, PostgreSQL {1000 * Cpu.Database / Math.Max(Sent, 1):F2} ms " +
            "(from the run's start, the service's JIT included)";
    }

    public static async Task<Result> RunAsync(int donors, int giftsPerDonor = 12, bool pickup = false)
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var cs = await pg.CreateDatabaseAsync();
        using var scratch = new ScratchDirectory();
        var dir = scratch.Path;
        var outbox = Path.Combine(dir, "outbox");
        await using var sink = pickup ? null : NoDelaySmtpSink.StartCounting();
        var settings = BenchmarkEnvironment.ServiceSettings(cs, dir, sink?.Port);
        await using var service = await ServiceProcess.StartAsync(settings, dir);
        await using (var db = new NpgsqlConnection(cs))
        {
            await db.OpenAsync();
            await using var seed = new NpgsqlCommand(giftsPerDonor == 1 ? BulkGivers.Sql(donors, 2025) : MonthlyGiversSql(donors, giftsPerDonor, 2025), db)
                { CommandTimeout = 1800 };
            await seed.ExecuteNonQueryAsync();
        }

        var pid = service.ProcessId;
        var rss = new List<long>();
        var cpu = CpuSpent.Read(pid, pg.Port);
        var clock = Stopwatch.StartNew();
        await using (var start = await ServiceProcess.StartAsync(settings, dir, args: ["statements", "send", "--year", "2025", "--no-wait"], waitUntilLive: false))
            if (await start.WaitForExitAsync() != 0) throw new InvalidOperationException(start.Output);
        var starting = clock.Elapsed;

        long maxWaiting = 0;
        var sent = 0;
        var took = TimeSpan.Zero;
        while (true)
        {
            if (Directory.Exists(outbox))
            {
                var files = Directory.GetFiles(outbox, "*.eml");
                maxWaiting = Math.Max(maxWaiting, files.Length);
                foreach (var f in files) File.Delete(f);
            }
            if (rss.Count == 0 || clock.Elapsed.TotalSeconds >= rss.Count * 10) rss.Add(ProcessMemory.RssMiB(pid));
            await using var db = new NpgsqlConnection(cs);
            await db.OpenAsync();
            await using var query = new NpgsqlCommand(
                """SELECT "Status", "Sent", coalesce("CompletedAt", now()) - "StartedAt" FROM "StatementRuns" ORDER BY "Id" DESC LIMIT 1""", db);
            await using var row = await query.ExecuteReaderAsync();
            if (await row.ReadAsync())
            {
                sent = row.GetInt32(1);
                took = row.GetTimeSpan(2);
                if (row.GetString(0) == "Completed") break;
            }
            await Task.Delay(500);
        }
        clock.Stop();
        var spent = CpuSpent.Read(pid, pg.Port).Since(cpu);
        var peak = ProcessMemory.PeakRssMiB(pid);
        Directory.Delete(dir, recursive: true);
        var how = sink is null
            ? $"pickup folder, at most {maxWaiting} messages waiting in it"
            : $"SMTP, {sink.Count} messages of {sink.Bytes / Math.Max(sink.Count, 1) / 1024.0:F1} KiB on average";
        return new Result(donors, giftsPerDonor, sent, took, starting, how, peak, "every 10 s: " + string.Join(" ", rss), spent);
    }

    /// <summary>Donors each with <paramref name="gifts"/> monthly gifts in <paramref name="year"/>, every one with its sent receipt.</summary>
    private static string MonthlyGiversSql(int donors, int gifts, int year) => $"""
        INSERT INTO "Donors" ("Email", "Name", "CreatedAt")
        SELECT 'reader' || g || '@example.com', 'Reader ' || g, now() FROM generate_series(1, {donors}) g;
        INSERT INTO "Donations" ("SettlementKey", "DonorId", "Amount", "Currency", "Frequency", "Status", "RefundedAmount",
            "FeeCovered", "FeeAmount", "BenefitsValue", "ReceivedAt", "CreatedAt")
        SELECT 'in:in_bulk_' || d."Id" || '_' || m, d."Id", 500 + (d."Id" % 20) * 100, 'usd', 'Monthly', 'Succeeded', 0,
            false, 0, 0, timestamptz '{year}-01-15 12:00:00+00' + (m - 1) * interval '1 month', now()
        FROM "Donors" d CROSS JOIN generate_series(1, {gifts}) m;
        INSERT INTO "Receipts" ("Number", "Year", "Sequence", "DonationId", "Kind", "Status", "Amount", "Currency",
            "DeductibleAmount", "IssuedAt", "MessageId", "SentAt", "Attempts")
        SELECT '{year}-' || lpad(d."Id"::text, 8, '0'), {year}, d."Id", d."Id", 'Original', 'Sent', d."Amount", 'usd',
            d."Amount", now(), 'receipt-' || d."Id" || '@example.org', now(), 1
        FROM "Donations" d;
        ANALYZE;
        """;
}
