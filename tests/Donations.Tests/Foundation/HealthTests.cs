using System.Net;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Foundation;

public sealed class HealthTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Ready_answers_200_once_the_database_is_migrated(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = provider);

        var ready = await app.Client.GetAsync("/health/ready");
        var live = await app.Client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var pending = await app.WithDbAsync(db => db.Database.GetPendingMigrationsAsync());
        Assert.Empty(pending);
    }

    [Fact]
    public async Task Ready_answers_503_when_the_database_is_down_while_live_stays_200()
    {
        await using var pg = await PostgresServer.StartNewAsync();
        var cs = await pg.CreateDatabaseAsync();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.ConnectionString = cs;
            o.HangfireServer = false;
        });
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health/ready")).StatusCode);

        await pg.StopAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Unknown_paths_answer_with_problem_details()
    {
        await using var app = await DonationsApp.StartAsync();

        var response = await app.Client.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
