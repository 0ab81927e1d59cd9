using Donations.Data;

namespace Donations.Api.Infrastructure.Configuration;

// One class per configuration section (DESIGN.md "Configuration"). Validation messages name the
// full key so an operator knows exactly what to set.
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    /// <summary>Null means: true for Sqlite, false for the server databases.</summary>
    public bool? MigrateOnStart { get; set; }
    public bool ShouldMigrateOnStart => MigrateOnStart ?? Provider == DatabaseProvider.Sqlite;
}
