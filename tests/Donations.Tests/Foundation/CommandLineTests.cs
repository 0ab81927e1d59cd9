using Donations.Api.Infrastructure;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Foundation;

public sealed class CommandLineTests
{
    [Fact]
    public async Task Migrate_brings_an_empty_PostgreSQL_database_up_to_date()
    {
        var pg = await PostgresServer.SharedAsync();
        var cs = await pg.CreateDatabaseAsync();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.ConnectionString = cs;
            o.HangfireServer = false;
            o.Settings["Database:MigrateOnStart"] = "false";
        });
        Assert.NotEmpty(await app.WithDbAsync(db => db.Database.GetPendingMigrationsAsync()));

        var migrate = app.Services.GetServices<ICliCommand>().Single(c => c.Name == "migrate");
        var exit = await migrate.RunAsync(app.Services, [], CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Empty(await app.WithDbAsync(db => db.Database.GetPendingMigrationsAsync()));
        Assert.Equal(0, await app.WithDbAsync(db => db.Donations.CountAsync()));
    }
}
