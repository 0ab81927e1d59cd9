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
    /// <summary>For the first few gifts whose receipt never arrived: what the database holds of them.</summary>
    public string MissingStory { get; init; } = "";

    public bool ExactlyOnce => Missing == 0 && Duplicates == 0 && Strays == 0 && ReceiptsInDatabase == Gifts && SentInDatabase == Gifts;

    public override string ToString() =>
        $"exactly once: {(ExactlyOnce ? "yes" : "NO")} ({Arrived} messages for {Gifts} gifts: {Donors} donors reached, " +
        $"{Duplicates} duplicates, {Missing} missing, {Strays} strays; database: {ReceiptsInDatabase} receipts, {SentInDatabase} sent)" +
        MissingStory;

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
        var missing = expected.Where(e => !byDonor.ContainsKey(e)).ToList();
        return new ReceiptDelivery(gifts.Count, byDonor.Values.Sum(), byDonor.Keys.Count(expected.Contains),
            byDonor.Values.Sum(n => n - 1), missing.Count,
            byDonor.Keys.Count(e => !expected.Contains(e)), receipts, sent)
        {
            MissingStory = await StoryOfAsync(connectionString, missing.Take(3)),
        };
    }

    /// <summary>Each missing gift's webhook event, donation, receipt and Hangfire jobs as the database holds them.</summary>
    private static async Task<string> StoryOfAsync(string connectionString, IEnumerable<string> emails)
    {
        var story = new System.Text.StringBuilder();
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        foreach (var email in emails)
        {
            story.Append($"\n    {email}:");
            await using var cmd = new NpgsqlCommand("""
                SELECT 'event ' || e."Id" || ' ' || e."Status" || ' attempts=' || e."Attempts" || ' enqueued=' || coalesce(e."EnqueuedAt"::text, '-')
                       || ' processed=' || coalesce(e."ProcessedAt"::text, '-') || ' error=' || coalesce(e."Error", '-')
                FROM "StripeEvents" e WHERE e."Payload" LIKE '%' || @email || '%'
                UNION ALL
                SELECT 'donation ' || d."Id" || ' receipts=' || (SELECT count(*) FROM "Receipts" r WHERE r."DonationId" = d."Id")
                FROM "Donations" d JOIN "Donors" o ON o."Id" = d."DonorId" WHERE o."Email" = @email
                UNION ALL
                SELECT 'donation of its session ' || d."Id" || ' to donor ' || o."Id" || ' ' || o."Email" || ' customer ' || coalesce(o."StripeCustomerId", '-')
                FROM "Donations" d JOIN "Donors" o ON o."Id" = d."DonorId" JOIN "StripeEvents" e ON d."StripeCheckoutSessionId" = 'cs_test_' || e."Id"
                WHERE e."Payload" LIKE '%' || @email || '%'
                UNION ALL
                SELECT 'job ' || j.id || ' ' || coalesce(j.statename, '-') || ' ' || left(j.invocationdata::text, 120)
                FROM hangfire.job j JOIN "StripeEvents" e ON j.arguments::text LIKE '%' || e."Id" || '%'
                WHERE e."Payload" LIKE '%' || @email || '%'
                """, conn);
            cmd.Parameters.AddWithValue("email", email);
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) story.Append("\n      ").Append(reader.GetString(0));
        }
        return story.ToString();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
