using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Infrastructure;

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
    public void An_idempotent_PostgreSQL_script_can_be_generated()
    {
        using var db = DesignTime("Postgres");

        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        Assert.Contains("CREATE TABLE \"StripeEvents\"", script);
    }

    private static DonationsDbContext DesignTime(string provider) => provider switch
    {
        "Sqlite" => new Migrations.Sqlite.DesignTimeDbContextFactory().CreateDbContext([]),
        "Postgres" => new Migrations.Postgres.DesignTimeDbContextFactory().CreateDbContext([]),
        "SqlServer" => new Migrations.SqlServer.DesignTimeDbContextFactory().CreateDbContext([]),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
