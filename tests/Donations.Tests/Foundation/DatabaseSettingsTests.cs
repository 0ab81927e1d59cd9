using Donations.Api.Infrastructure.Data;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Donations.Tests.Foundation;

public sealed class DatabaseSettingsTests
{
    [Theory]
    [InlineData("", 2)]
    [InlineData(";Auto Prepare Min Usages=5", 5)] // only this one set: it stays, the others get their defaults
    public void PostgreSQL_connections_prepare_repeated_statements_and_skip_the_reset_on_checkout_by_default(string extra, int minUsages)
    {
        var settings = From("Host=db.internal;Database=donations;Username=donations" + extra);

        var b = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(64, b.MaxAutoPrepare);
        Assert.Equal(minUsages, b.AutoPrepareMinUsages);
        Assert.True(b.NoResetOnClose);
        Assert.Equal("db.internal", b.Host);
    }

    [Fact]
    public void What_the_connection_string_says_about_preparing_and_resetting_wins()
    {
        var settings = From("Host=db.internal;Database=donations;Username=donations;Max Auto Prepare=0;No Reset On Close=false");

        var b = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(0, b.MaxAutoPrepare);
        Assert.False(b.NoResetOnClose);
    }

    private static DatabaseSettings From(string connectionString) => DatabaseSettings.From(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Donations"] = connectionString,
        }).Build(),
        contentRoot: Path.GetTempPath());
}
