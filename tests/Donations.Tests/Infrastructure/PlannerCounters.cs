using Donations.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// For tests that hold the service's queries to the plans PostgreSQL keeps for them: Npgsql
/// prepares the service's statements, and PostgreSQL may then keep one generic plan, blind to the
/// parameters. <see cref="PlanGenericallyAsync"/> makes the app's database plan generically from the
/// first execution, and <see cref="RowsReadAsync"/> takes what was read of a table from PostgreSQL's
/// own counters (flushed when the app's connections close).
/// </summary>
public static class PlannerCounters
{
    /// <summary>Rows read by sequential scans, rows fetched through indexes, index entries read, and how many sequential scans there were.</summary>
    public readonly record struct RowsRead(long Scanned, long Fetched, long IndexEntries, long Scans = 0)
    {
        public static RowsRead operator -(RowsRead a, RowsRead b) =>
            new(a.Scanned - b.Scanned, a.Fetched - b.Fetched, a.IndexEntries - b.IndexEntries, a.Scans - b.Scans);
    }

    public static Task SqlAsync(DonationsApp app, string sql) => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql));

    public static async Task PlanGenericallyAsync(DonationsApp app)
    {
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database;
        await SqlAsync(app, $"ALTER DATABASE \"{database}\" SET plan_cache_mode = force_generic_plan");
        await CloseConnectionsAsync(app); // the setting holds for connections opened from here on
    }

    /// <summary>What has been read of <paramref name="table"/> so far, as PostgreSQL counted it.</summary>
    public static async Task<RowsRead> RowsReadAsync(DonationsApp app, string table)
    {
        await CloseConnectionsAsync(app);
        await using var conn = new NpgsqlConnection(app.ConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            SELECT coalesce(t.seq_tup_read, 0), coalesce(t.idx_tup_fetch, 0),
                   (SELECT coalesce(sum(i.idx_tup_read), 0)::bigint FROM pg_stat_user_indexes i WHERE i.relid = t.relid),
                   coalesce(t.seq_scan, 0)
            FROM pg_stat_user_tables t WHERE t.relname = @t
            """, conn);
        cmd.Parameters.AddWithValue("t", table);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new RowsRead(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    /// <summary>
    /// Closes the app's idle connections (its pool alone: other tests run beside this one) and waits
    /// for their backends to end: a backend's counters reach the statistics when it ends (otherwise
    /// up to ten seconds later).
    /// </summary>
    private static async Task CloseConnectionsAsync(DonationsApp app)
    {
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        // The pool is keyed by the connection string the service tuned, not the one it was given.
        var used = app.Services.GetRequiredService<DatabaseSettings>().ConnectionString;
        var since = DateTime.UtcNow;
        await Wait.UntilAsync(async () =>
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(used));
            await using var conn = new NpgsqlConnection(app.ConnectionString + ";Pooling=false");
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = @d AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND backend_start < @since
                """, conn);
            cmd.Parameters.AddWithValue("d", database);
            cmd.Parameters.AddWithValue("since", since);
            return (long)(await cmd.ExecuteScalarAsync())! == 0;
        }, TimeSpan.FromSeconds(20), "the app's connections to close");
    }
}
