using Donations.Data;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Infrastructure.Data;

public static class DatabaseMigrator
{
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
        var settings = scope.ServiceProvider.GetRequiredService<DatabaseSettings>();
        var log = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator));
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
            log.LogInformation("Applying {Count} migration(s) to the {Provider} database: {Migrations}",
                pending.Count, settings.Provider, string.Join(", ", pending));
        await db.Database.MigrateAsync(ct);
        if (settings.Provider == DatabaseProvider.Sqlite)
            // WAL lets the web requests read while a job writes; the setting is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
    }
}
