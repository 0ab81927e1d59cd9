using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Donations.Api.Infrastructure.Data;

public static class DataSetup
{
    public static WebApplicationBuilder AddDonationsData(this WebApplicationBuilder builder)
    {
        var settings = DatabaseSettings.From(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<RowClaims>();
        // Pooled: building a context's internal services on every request was a sixth of the
        // webhook endpoint's CPU; a pooled one is only reset.
        builder.Services.AddDbContextPool<DonationsDbContext>(o => settings.Configure(o));
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }
}

/// <summary>Provider and connection string, resolved once at start-up.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, bool MigrateOnStart)
{
    public static DatabaseSettings From(IConfiguration configuration, string contentRoot)
    {
        var options = new DatabaseOptions
        {
            Provider = configuration.StartupOption(DatabaseOptions.Section, (DatabaseOptions o) => o.Provider),
            MigrateOnStart = configuration.StartupOption(DatabaseOptions.Section, (DatabaseOptions o) => o.MigrateOnStart),
        };
        var cs = configuration.GetConnectionString("Donations");
        if (string.IsNullOrWhiteSpace(cs))
            throw new OptionsValidationFailure("ConnectionStrings:Donations is required (e.g. \"Data Source=data/donations.db\" for Sqlite).");
        if (options.Provider == DatabaseProvider.Sqlite)
            cs = AnchorSqlitePath(cs, contentRoot);
        else if (options.Provider == DatabaseProvider.Postgres)
            cs = TunePostgres(cs);
        return new DatabaseSettings(options.Provider, cs, options.ShouldMigrateOnStart);
    }

    public DbContextOptionsBuilder Configure(DbContextOptionsBuilder o) => Provider switch
    {
        DatabaseProvider.Sqlite => o.UseSqlite(ConnectionString,
            x => x.MigrationsAssembly(Migrations.Sqlite.DesignTimeDbContextFactory.AssemblyName)),
        DatabaseProvider.Postgres => o.UseNpgsql(ConnectionString,
            x => x.MigrationsAssembly(Migrations.Postgres.DesignTimeDbContextFactory.AssemblyName)),
        DatabaseProvider.SqlServer => o.UseSqlServer(ConnectionString,
            x => x.MigrationsAssembly(Migrations.SqlServer.DesignTimeDbContextFactory.AssemblyName)),
        _ => throw new InvalidOperationException($"Database:Provider '{Provider}' is not supported."),
    };

    /// <summary>
    /// Defaults for a service that runs the same few dozen statements all day, unless the
    /// connection string says otherwise: statements used twice are prepared on the server (parsing
    /// and planning them each time was a large part of PostgreSQL's work under webhook load), and a
    /// pooled connection is not reset with DISCARD ALL on every checkout, which the service never
    /// needs (it leaves no session state behind) and which would also drop the prepared statements.
    /// </summary>
    private static string TunePostgres(string cs)
    {
        var b = new NpgsqlConnectionStringBuilder(cs);
        // Each key on its own: a string that sets only one of them keeps it.
        if (!Mentions(cs, "Max Auto Prepare", "MaxAutoPrepare")) b.MaxAutoPrepare = 64;
        if (!Mentions(cs, "Auto Prepare Min Usages", "AutoPrepareMinUsages")) b.AutoPrepareMinUsages = 2;
        if (!Mentions(cs, "No Reset On Close", "NoResetOnClose")) b.NoResetOnClose = true;
        return b.ConnectionString;
    }

    private static bool Mentions(string cs, params string[] keys) =>
        keys.Any(k => cs.Contains(k, StringComparison.OrdinalIgnoreCase));

    /// <summary>The SQLite file's folder, next to which Hangfire keeps its own database.</summary>
    public string SqliteDirectory => Path.GetDirectoryName(new SqliteConnectionStringBuilder(ConnectionString).DataSource)!;

    // A relative SQLite path is taken from the content root, not from wherever the process was started.
    private static string AnchorSqlitePath(string cs, string contentRoot)
    {
        var b = new SqliteConnectionStringBuilder(cs);
        if (b.DataSource is "" or ":memory:" || b.Mode == SqliteOpenMode.Memory)
            throw new OptionsValidationFailure("ConnectionStrings:Donations must name a SQLite file (e.g. \"Data Source=data/donations.db\").");
        b.DataSource = Path.GetFullPath(b.DataSource, contentRoot);
        Directory.CreateDirectory(Path.GetDirectoryName(b.DataSource)!);
        // Writers wait for each other instead of failing with "database is locked".
        if (!cs.Contains("Default Timeout", StringComparison.OrdinalIgnoreCase)) b.DefaultTimeout = 30;
        return b.ToString();
    }
}

/// <summary>A configuration error found before the options system can report it.</summary>
public sealed class OptionsValidationFailure(string message) : Exception(message);
