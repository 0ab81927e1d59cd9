using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Donations.Api.Infrastructure.Data;

/// <summary>
/// Recognises "that key already exists" from each provider, so code that races another writer
/// for a unique key can treat losing the race as "someone else did it" and re-read.
/// </summary>
public static class UniqueViolation
{
    public static bool Is(DbUpdateException exception) => exception.InnerException switch
    {
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        // SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067).
        SqliteException s => s.SqliteExtendedErrorCode is 1555 or 2067,
        SqlException s => s.Number is 2601 or 2627,
        _ => false,
    };
}
