using System.Diagnostics;
using Donations.Tests.Infrastructure;
using MimeKit;
using Npgsql;

namespace Donations.Benchmarks;

/// <summary>
/// Which gifts' receipts reached the sink, and how often: every gift is its own donor, so each
/// recipient address must arrive exactly once. Read from the sink and, for what the service
/// believes it did, from the database.
/// </summary>
public sealed record ReceiptDelivery(int Gifts, int Arrived, int Donors, int Duplicates, int Missing, int Strays, long ReceiptsInDatabase, long SentInDatabase)
{
    public bool ExactlyOnce => Missing == 0 && Duplicates == 0 && Strays == 0 && ReceiptsInDatabase == Gifts && SentInDatabase == Gifts;

    public override string ToString() =>
        $"exactly once: {(ExactlyOnce ? "yes" : "NO")} ({Arrived} messages for {Gifts} gifts: {Donors} donors reached, " +
        $"{Duplicates} duplicates, {Missing} missing, {Strays} strays; database: {ReceiptsInDatabase} receipts, {SentInDatabase} sent)";

    /// <summary>Each arrival's recipient and time (Stopwatch ticks), in arrival order.</summary>
    public static List<(string Email, long At)> Arrivals(NoDelaySmtpSink sink) =>
        sink.Messages.Zip(sink.ArrivalTicks)
            .Select(x => (MimeMessage.Load(new MemoryStream(x.First)).To.Mailboxes.Single().Address, x.Second))
            .ToList();

    /// <summary>
    /// Waits for <paramref name="expected"/> messages, giving up only when none has arrived for
    /// <paramref name="idle"/>: a node that keeps up slower than the load still finishes and is
    /// reported (with its backlog in the latencies) rather than cut off by a fixed deadline.
    /// </summary>
    public static async Task WaitForArrivalsAsync(NoDelaySmtpSink sink, int expected, TimeSpan idle)
    {
        var seen = sink.Count;
        var lastGrowth = Stopwatch.StartNew();
        while (sink.Count < expected && lastGrowth.Elapsed < idle)
        {
            await Task.Delay(200);
            if (sink.Count == seen) continue;
            seen = sink.Count;
            lastGrowth.Restart();
        }
    }

    /// <summary>
    /// Once the gifts' work is done (every receipt of the run marked, no webhook or email job
    /// queued), so a late duplicate would have had its chance to arrive: counts per recipient of
    /// <paramref name="gifts"/>. The default queue (finance and housekeeping) is not receipt work.
    /// If the service never gets there, the counts are taken anyway and say so.
    /// </summary>
    public static async Task<ReceiptDelivery> CheckAsync(string connectionString, NoDelaySmtpSink sink, IReadOnlyCollection<string> gifts, string emailPrefix)
    {
        try
        {
            await Wait.UntilAsync(async () => await ScalarAsync(connectionString,
                    """SELECT count(*) FROM "Receipts" WHERE "Status" = 'Pending'""") == 0
                && await ScalarAsync(connectionString,
                    "SELECT count(*) FROM hangfire.jobqueue WHERE queue IN ('webhooks', 'email')") == 0,
                TimeSpan.FromMinutes(2), "the service to be idle");
        }
        catch (TimeoutException e)
        {
            Console.WriteLine($"  (not idle after 2 minutes, counted anyway: {e.Message})");
        }
        var byDonor = Arrivals(sink).Where(a => a.Email.StartsWith(emailPrefix, StringComparison.Ordinal))
            .GroupBy(a => a.Email).ToDictionary(g => g.Key, g => g.Count());
        var expected = gifts.ToHashSet();
        var receipts = await ScalarAsync(connectionString, $"""
            SELECT count(*) FROM "Receipts" r JOIN "Donations" d ON d."Id" = r."DonationId" JOIN "Donors" o ON o."Id" = d."DonorId"
            WHERE o."Email" LIKE '{emailPrefix}%'
            """);
        var sent = await ScalarAsync(connectionString, $"""
            SELECT count(*) FROM "Receipts" r JOIN "Donations" d ON d."Id" = r."DonationId" JOIN "Donors" o ON o."Id" = d."DonorId"
            WHERE o."Email" LIKE '{emailPrefix}%' AND r."Status" = 'Sent'
            """);
        return new ReceiptDelivery(gifts.Count, byDonor.Values.Sum(), byDonor.Keys.Count(expected.Contains),
            byDonor.Values.Sum(n => n - 1), expected.Count(e => !byDonor.ContainsKey(e)),
            byDonor.Keys.Count(e => !expected.Contains(e)), receipts, sent);
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
