using Donations.Data;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Donations.Tests.Foundation;

/// <summary>
/// Every provider's migrations must match the model. SQL Server cannot run here, so its
/// migrations are checked without a server and its deployment script is generated.
/// </summary>
public sealed class MigrationsTests
{
    public static TheoryData<string> Providers => ["Sqlite", "Postgres", "SqlServer"];

    [Theory]
    [MemberData(nameof(Providers))]
    public void Migrations_of_every_provider_match_the_model(string provider)
    {
        using var db = DesignTime(provider);

        Assert.False(db.Database.HasPendingModelChanges(),
            $"The {provider} migrations lag the model: run migrations/add-migration.sh <Name>.");
        Assert.NotEmpty(db.Database.GetMigrations());
    }

    [Fact]
    public void An_idempotent_SQL_Server_script_can_be_generated()
    {
        using var db = DesignTime("SqlServer");

        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        Assert.Contains("IF NOT EXISTS", script);
        Assert.Contains("[__EFMigrationsHistory]", script);
        Assert.Contains("CREATE TABLE [Donations]", script);
        Assert.Contains("CREATE UNIQUE INDEX [IX_Donations_SettlementKey]", script);
    }

    [Fact]
    public void The_SQL_Server_script_quotes_names_with_brackets_so_sqlcmd_without_quoted_identifiers_runs_it()
    {
        using var db = DesignTime("SqlServer");

        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        Assert.DoesNotContain("\"Donations\"", script);
        Assert.DoesNotContain("\"RefundedAmount\"", script);
    }

    [Fact]
    public async Task The_idempotent_PostgreSQL_script_runs_with_psql_on_an_empty_database_and_again_on_the_migrated_one()
    {
        using var db = DesignTime("Postgres");
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        var path = Path.Combine(Path.GetTempPath(), $"donations-migrate-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(path, script);
        var server = await PostgresServer.SharedAsync();
        var database = await server.CreateDatabaseAsync();
        try
        {
            await server.RunScriptAsync(database, path);
            await server.RunScriptAsync(database, path); // a DBA running it twice changes nothing and fails on nothing

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var applied = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", connection);
            Assert.Equal(db.Database.GetMigrations().Count(), Convert.ToInt32(await applied.ExecuteScalarAsync()));
            await using var columns = new NpgsqlCommand(
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'Donations' AND column_name IN ('ChargeRefundedAmount', 'LostDisputeAmount')",
                connection);
            Assert.Equal(2, Convert.ToInt32(await columns.ExecuteScalarAsync()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static DonationsDbContext DesignTime(string provider) => provider switch
    {
        "Sqlite" => new Migrations.Sqlite.DesignTimeDbContextFactory().CreateDbContext([]),
        "Postgres" => new Migrations.Postgres.DesignTimeDbContextFactory().CreateDbContext([]),
        "SqlServer" => new Migrations.SqlServer.DesignTimeDbContextFactory().CreateDbContext([]),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
