using Donations.Api.Features.Donations;
using Donations.Api.Features.Receipts;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Donations.Tests.Foundation;

/// <summary>
/// The lookups every gift makes stay lookups when a burst outruns the planner's statistics: a table
/// that grew since it was last analyzed, or thousands of receipts pending where the statistics say
/// almost none are. Npgsql prepares the service's statements, and PostgreSQL may then keep one
/// generic plan for them; this database is told to plan generically from the first execution, and
/// what each step read of its table is taken from PostgreSQL's own counters (flushed when the
/// service's connections close).
/// </summary>
public sealed class LookupsUnderBurstTests
{
    private const int Rows = 3000;

    [Fact]
    public async Task Finding_a_new_donor_reads_no_table_whole_once_donors_outgrow_the_plan_made_when_they_were_few()
    {
        // One connection in the app's pool: the lookups after the burst run on the connection that
        // prepared the statement (and PostgreSQL planned it) while the table was nearly empty.
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
            o.ConnectionString = database + ";Maximum Pool Size=1";
        });
        await SqlAsync(app, """ALTER TABLE "Donors" SET (autovacuum_enabled = false)""");
        await PlanGenericallyAsync(app);
        var before = await RowsReadAsync(app, "Donors");

        // The first gifts of a new database: the lookup is prepared on the service's connection
        // and planned while the table is nearly empty. Then a burst of donors arrives.
        for (var i = 0; i < 8; i++) await FindNewDonorAsync(app, $"first{i}");
        await SqlAsync(app, $"""
            INSERT INTO "Donors" ("Email", "Name", "StripeCustomerId", "CreatedAt")
            SELECT 'reader' || g || '@example.com', 'Reader ' || g, 'cus_reader' || g, now() FROM generate_series(1, {Rows}) g;
            """);
        for (var i = 0; i < 8; i++) await FindNewDonorAsync(app, $"later{i}");

        var read = await RowsReadAsync(app, "Donors") - before;
        Assert.True(read.Scanned == 0 && read.Fetched < 200,
            $"sixteen donor lookups read {read.Scanned} rows by scanning and {read.Fetched} through indexes, the last eight among {Rows} donors");
    }

    private static async Task FindNewDonorAsync(DonationsApp app, string name)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
        var donor = await scope.ServiceProvider.GetRequiredService<DonorDirectory>()
            .FindOrAddAsync(new DonorIdentity($"{name}@example.org", "New Reader", $"cus_{name}"), DateTime.UtcNow, CancellationToken.None);
        Assert.Equal(0, donor!.Id); // nobody under the address or the customer: a new record
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Claiming_renewing_and_marking_two_receipts_reads_them_alone_while_thousands_are_pending()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.HangfireServer = false; });
        // Analyzed while every receipt was sent, as a database in service is before a burst.
        await SqlAsync(app, BulkGivers.Sql(Rows, 2026) + """
            ANALYZE "Receipts";
            ALTER TABLE "Receipts" SET (autovacuum_enabled = false);
            UPDATE "Receipts" SET "Status" = 'Pending', "SentAt" = NULL;
            """);
        await PlanGenericallyAsync(app);
        var before = await RowsReadAsync(app, "Receipts");

        var clock = app.Services.GetRequiredService<TimeProvider>();
        var metrics = app.Services.GetRequiredService<DonationsMetrics>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test");
        var scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
        for (var round = 0; round < 3; round++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var claims = scope.ServiceProvider.GetRequiredService<ReceiptClaims>();
            var held = await claims.ClaimAsync(2, TimeSpan.FromMinutes(5), CancellationToken.None);
            Assert.Equal(2, held.Unsent().Count);
            await claims.RenewAsync(held, CancellationToken.None);
            await using (var marks = new SentMarks(scopes, held, clock, metrics, log))
            {
                foreach (var id in held.Unsent().ToList()) await marks.SentAsync(id, nameof(ReceiptKind.Original));
                await marks.FlushAsync();
            }
        }

        var read = await RowsReadAsync(app, "Receipts") - before;
        Assert.Equal(6, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)));
        Assert.True(read.Scanned == 0 && read.Fetched < 200,
            $"three rounds of two receipts read {read.Scanned} rows by scanning and {read.Fetched} through indexes of {Rows} pending");
    }

    private readonly record struct RowsRead(long Scanned, long Fetched)
    {
        public static RowsRead operator -(RowsRead a, RowsRead b) => new(a.Scanned - b.Scanned, a.Fetched - b.Fetched);
    }

    private static Task SqlAsync(DonationsApp app, string sql) => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql));

    private static async Task PlanGenericallyAsync(DonationsApp app)
    {
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database;
        await SqlAsync(app, $"ALTER DATABASE \"{database}\" SET plan_cache_mode = force_generic_plan");
        await CloseConnectionsAsync(app); // the setting holds for connections opened from here on
    }

    /// <summary>Rows of <paramref name="table"/> read by sequential scans and fetched through its indexes, as PostgreSQL counted them.</summary>
    private static async Task<RowsRead> RowsReadAsync(DonationsApp app, string table)
    {
        await CloseConnectionsAsync(app);
        await using var conn = new NpgsqlConnection(app.ConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT coalesce(seq_tup_read, 0), coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables WHERE relname = @t", conn);
        cmd.Parameters.AddWithValue("t", table);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new RowsRead(reader.GetInt64(0), reader.GetInt64(1));
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
