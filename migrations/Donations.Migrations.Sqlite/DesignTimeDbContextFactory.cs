using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Donations.Migrations.Sqlite;

/// <summary>Lets <c>dotnet ef</c> build the model for Sqlite with this assembly holding the migrations.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<DonationsDbContext>
{
    public static string AssemblyName => typeof(DesignTimeDbContextFactory).Assembly.GetName().Name!;

    public DonationsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<DonationsDbContext>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsAssembly(AssemblyName))
            .Options);
}
