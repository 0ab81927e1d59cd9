using Donations.Data;
using Donations.Tests.Infrastructure;
using Npgsql;

namespace Donations.Tests.Foundation;

/// <summary>
/// The suite starts hundreds of apps against one throwaway cluster; each must give its connections
/// back when it is disposed, or the cluster runs out of them part-way through the run.
/// </summary>
public sealed class TestClusterConnectionsTests
{
    [Fact]
    public async Task A_disposed_app_leaves_no_connection_open_to_its_database()
    {
        var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        // Work that leaves idle connections in the app's pools: requests, jobs polling, a query.
        Assert.True((await app.Client.GetAsync("/health/ready")).IsSuccessStatusCode);
        await app.WaitForIdleJobsAsync();
        Assert.True(await BackendsOnAsync(database) > 0, "the running app holds connections to its database");

        await app.DisposeAsync();

        await Wait.UntilAsync(async () => await BackendsOnAsync(database) == 0, TimeSpan.FromSeconds(10),
            $"the connections to {database} to close");
    }

    private static async Task<long> BackendsOnAsync(string database)
    {
        var pg = await PostgresServer.SharedAsync();
        // A string of its own, so this query's pool is not the one being counted.
        await using var conn = new NpgsqlConnection(pg.ConnectionString("postgres") + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @d", conn);
        cmd.Parameters.AddWithValue("d", database);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
