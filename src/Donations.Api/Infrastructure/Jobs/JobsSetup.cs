using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;

namespace Donations.Api.Infrastructure.Jobs;

public static class JobsSetup
{
    public static WebApplicationBuilder AddDonationsJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // Storage and activator are this host's own services, not Hangfire's process-wide statics,
        // so several hosts (tests, or web + worker in one process) never share a queue by accident.
        services.AddSingleton<JobStorage>(sp => CreateStorage(sp.GetRequiredService<DatabaseSettings>(), Options(sp)));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new DisposalTolerantLogProvider(sp.GetRequiredService<ILoggerFactory>())));

        // Whether this node runs jobs decides what is registered, so it is read before the container exists.
        if (builder.Configuration.StartupOption(HangfireOptions.Section, (HangfireOptions o) => o.ServerEnabled))
        {
            services.AddHangfireServer((sp, server) =>
            {
                var options = Options(sp);
                server.WorkerCount = options.WorkerCount;
                server.SchedulePollingInterval = options.PollingInterval;
                server.ServerCheckInterval = TimeSpan.FromMinutes(1);
                server.Queues = JobQueues.Shared;
            });
            // A statement batch holds its donors' ledgers and documents while it works; batches on
            // every worker at once set the node's peak memory. They get workers of their own (one by default),
            // so other queues' jobs never wait behind them and they never take all of the workers.
            services.AddHangfireServer((sp, server) =>
            {
                var options = Options(sp);
                server.ServerName = $"{Environment.MachineName}:statements";
                server.WorkerCount = sp.GetRequiredService<IOptions<StatementsOptions>>().Value.Workers;
                server.SchedulePollingInterval = options.PollingInterval;
                server.ServerCheckInterval = TimeSpan.FromMinutes(1);
                server.Queues = [JobQueues.Statements];
            });
        }
        services.AddHostedService<RecurringJobsRegistrar>();
        return builder;
    }

    private static HangfireOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<HangfireOptions>>().Value;

    /// <summary>
    /// Hangfire.PostgreSql's lock rows (<c>hangfire.lock</c>) name no holder, so a lock taken by a
    /// connection that died in a database restart cannot be told from a live one; it stands until
    /// this expiry, and every job whose state-lock it is stays Enqueued until then (the default, 10
    /// minutes, kept acknowledged gifts unrecorded that long). Every lock taken here is held for
    /// milliseconds (state changes, the recurring-job scheduler) or a few seconds (the receipts
    /// sweeper), so 30 seconds is ample for a live holder and the worst wait after a restart.
    /// </summary>
    public static readonly TimeSpan PostgreSqlLockExpiry = TimeSpan.FromSeconds(30);

    private static JobStorage CreateStorage(DatabaseSettings db, HangfireOptions options) => db.Provider switch
    {
        DatabaseProvider.Sqlite => new SQLiteStorage(
            Path.Combine(db.SqliteDirectory, "hangfire.db"),
            new SQLiteStorageOptions { QueuePollInterval = options.PollingInterval }),
        DatabaseProvider.Postgres => new PostgreSqlStorage(
            new NpgsqlConnectionFactory(db.ConnectionString, new PostgreSqlStorageOptions()),
            new PostgreSqlStorageOptions
            {
                QueuePollInterval = options.PollingInterval,
                PrepareSchemaIfNecessary = true,
                // LISTEN/NOTIFY long polling left fetched jobs idle under heavy load (a broken
                // listener connection is not noticed); plain polling at a short interval is cheap.
                EnableLongPolling = false,
                // The default (30 min, fixed) would leave a crashed node's jobs hidden for half an hour.
                InvisibilityTimeout = options.InvisibilityTimeout,
                UseSlidingInvisibilityTimeout = true,
                DistributedLockTimeout = PostgreSqlLockExpiry,
            }),
        DatabaseProvider.SqlServer => new SqlServerStorage(db.ConnectionString, new SqlServerStorageOptions
        {
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = TimeSpan.Zero,
            SlidingInvisibilityTimeout = options.InvisibilityTimeout,
            UseRecommendedIsolationLevel = true,
            DisableGlobalLocks = true,
        }),
        _ => throw new InvalidOperationException($"Database:Provider '{db.Provider}' is not supported."),
    };
}

/// <summary>Queue names, highest priority first (Hangfire polls them in this order).</summary>
public static class JobQueues
{
    public const string Webhooks = "webhooks";
    public const string Email = "email";
    public const string Default = "default";
    /// <summary>Statement batches: served by a server of their own with <c>Statements:Workers</c> workers.</summary>
    public const string Statements = "statements";
    /// <summary>The queues the node's <c>Hangfire:WorkerCount</c> workers serve.</summary>
    public static readonly string[] Shared = [Webhooks, Email, Default];
    public static readonly string[] All = [.. Shared, Statements];
}

/// <summary>A recurring job a feature wants, registered under a stable id at start-up.</summary>
public interface IRecurringJobDefinition
{
    void Register(IRecurringJobManager jobs);
}

internal sealed class RecurringJobsRegistrar(IEnumerable<IRecurringJobDefinition> definitions, IRecurringJobManager jobs) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        foreach (var d in definitions) d.Register(jobs);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
