using Npgsql;

namespace Donations.Tests.Faults;

/// <summary>Counts of inbox rows, receipts, Hangfire jobs and database sessions by state.</summary>
public static class ServiceState
{
    /// <summary>What is where, for a failure message.</summary>
    public static async Task<string> DescribeAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT 'event ' || "Status" || ' enqueued=' || ("EnqueuedAt" IS NOT NULL) || ' ' || coalesce(left("Error", 80), ''), count(*) FROM "StripeEvents" GROUP BY 1
            UNION ALL SELECT 'receipt ' || "Status" || ' claimed=' || ("ClaimedUntil" IS NOT NULL) || ' attempts=' || "Attempts", count(*) FROM "Receipts" GROUP BY 1
            UNION ALL SELECT 'donations without receipt', count(*) FROM "Donations" d WHERE NOT EXISTS (SELECT 1 FROM "Receipts" r WHERE r."DonationId" = d."Id")
            UNION ALL SELECT 'job ' || coalesce(statename, '-') || ' ' || coalesce(invocationdata::json->>'Type', '-'), count(*) FROM hangfire.job GROUP BY 1
            UNION ALL SELECT 'queued ' || queue || ' job ' || jobid || ' fetched ' || coalesce(round(extract(epoch FROM now() - fetchedat))::text || ' s ago', 'never'), 1 FROM hangfire.jobqueue
            UNION ALL SELECT 'backend ' || coalesce(state, '-') || ' wait=' || coalesce(wait_event_type, '-') || ' ' || coalesce(left(query, 100), ''), count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY 1
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await r.ReadAsync()) lines.Add($"{r.GetString(0)}: {r.GetInt64(1)}");
        return string.Join("\n", lines);
    }
}
