using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using System.Reflection;
using Expr = System.Linq.Expressions.Expression;
using Microsoft.EntityFrameworkCore.Storage;

namespace Donations.Api.Infrastructure.Data;

/// <summary>
/// A batch of rows to claim: the rows of <see cref="Table"/> matching <see cref="Where"/>, the
/// first <see cref="Limit"/> by <see cref="Order"/>, each changed by <see cref="Set"/> (which must
/// make it stop matching <see cref="Where"/>, or a second claimer would take it too). Table, column
/// names and clauses are constants of the caller, spliced into the text; every value goes in
/// <see cref="Parameters"/> and is named <c>@name</c> in the clauses.
/// </summary>
public sealed record BatchClaim(
    string Table, string Key, string Order, string Set, string Where, int Limit,
    IReadOnlyDictionary<string, object?> Parameters);

/// <summary>
/// The one place that claims rows for a worker, changes the rows a claim still holds, settles
/// insert races and refreshes a grown table's statistics, and the only place whose SQL differs by
/// database. Single rows are claimed with a conditional EF update (<c>ExecuteUpdateAsync</c> on
/// "unclaimed or lease expired" returning 1), which every provider runs alike; batches and
/// duplicate-tolerant inserts come here.
/// </summary>
public sealed class RowClaims(DatabaseSettings database)
{
    /// <summary>
    /// A time to store as a claim's mark and find again by equality. PostgreSQL keeps microseconds,
    /// so a mark with finer ticks would not compare equal to what was stored; SQL Server keeps
    /// <c>datetime2</c>'s 100 ns once the value is sent as <c>datetime2</c> (see <see cref="Parameter"/>).
    /// </summary>
    public static DateTime Mark(DateTime t) => new(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);

    /// <summary>
    /// Claims up to <see cref="BatchClaim.Limit"/> rows and returns their keys in claim order. Each
    /// row goes to exactly one of several claimers racing for it. PostgreSQL and SQLite take the
    /// batch in one <c>UPDATE … RETURNING</c> (a round trip per row cost most of a batch's time);
    /// PostgreSQL's <c>SKIP LOCKED</c> sends racing claimers to different rows instead of queueing
    /// them on the same ones. SQL Server claims row by row, each with a conditional update, and a
    /// claimer that loses a row moves on to later ones instead of coming back with a short batch.
    /// </summary>
    public Task<List<TKey>> ClaimBatchAsync<TKey, TOrder>(DonationsDbContext db, BatchClaim claim, CancellationToken ct) =>
        database.Provider == DatabaseProvider.SqlServer
            ? ClaimRowByRowAsync<TKey, TOrder>(db, claim, ct)
            : ClaimInOneStatementAsync<TKey, TOrder>(db, claim, ct);

    /// <summary>
    /// Changes the rows a claimer still holds: those of <paramref name="keys"/> in
    /// <paramref name="table"/> that carry one of the claim's <paramref name="marks"/> in
    /// <paramref name="markColumn"/> and match <paramref name="where"/>, each set by
    /// <paramref name="set"/> (constants of the caller; values in <paramref name="parameters"/>,
    /// named <c>@name</c>). Returns how many changed. A parameter per key and mark, the same text on
    /// every database: a sender marks its rows a few at a time, and EF Core's <c>ExecuteUpdate</c>
    /// spent more on compiling and binding each statement than the database did running it. Run
    /// through EF Core as raw SQL, so its command interceptors and logging see it like any other.
    /// </summary>
    public async Task<int> UpdateHeldAsync(DonationsDbContext db, string table, string key, IReadOnlyList<long> keys,
        string markColumn, IReadOnlyList<DateTime?> marks, string set, string where,
        IReadOnlyDictionary<string, object?> parameters, CancellationToken ct)
    {
        // A row without a mark is held by nobody.
        var held = marks.OfType<DateTime>().Distinct().ToList();
        if (keys.Count == 0 || held.Count == 0) return 0;
        // Lists padded to a multiple of four with their last value: a handful of statement texts
        // for PostgreSQL to keep prepared, not one per count.
        var paddedKeys = Padded(keys);
        var paddedMarks = Padded(held);
        var sql = $"""
            UPDATE "{table}" SET {set}
            WHERE "{key}" IN ({string.Join(", ", paddedKeys.Select((_, i) => $"@heldKey{i}"))})
            AND "{markColumn}" IN ({string.Join(", ", paddedMarks.Select((_, i) => $"@heldMark{i}"))})
            AND ({where})
            """;
        await using var factory = db.Database.GetDbConnection().CreateCommand();
        var named = parameters.Where(p => NamesParameter(sql, p.Key)).Select(p => Parameter(factory, p.Key, p.Value))
            .Concat(paddedKeys.Select((k, i) => Parameter(factory, $"heldKey{i}", k)))
            .Concat(paddedMarks.Select((m, i) => Parameter(factory, $"heldMark{i}", m)))
            .ToList<object>();
        // EF Core formats raw SQL given parameters as a composite format string: braces doubled.
        return await db.Database.ExecuteSqlRawAsync(sql.Replace("{", "{{").Replace("}", "}}"), named, ct);
    }

    private static List<T> Padded<T>(IReadOnlyList<T> values)
    {
        var padded = values.ToList();
        while (padded.Count % 4 != 0) padded.Add(values[^1]);
        return padded;
    }

    /// <summary>
    /// Tells the database that <typeparamref name="TEntity"/>'s table has just grown by many rows.
    /// A PostgreSQL connection keeps the plans it made for its statements, the foreign-key checks
    /// of every insert among them, for as long as it lives: made while a table was nearly empty,
    /// such a plan reads the whole table for every row it looks up there, however large the table
    /// grows, until the table's statistics change. <c>ANALYZE</c> changes them, and every
    /// connection plans again for the table as it is (PostgreSQL's own advice after a bulk load).
    /// It waits at most five seconds for the table's lock (a VACUUM of it holds that) and then
    /// throws; a role that does not own the table gets a warning from PostgreSQL and nothing
    /// changes. On the other databases nothing is done: not measured there.
    /// </summary>
    public async Task RefreshStatisticsAsync<TEntity>(DonationsDbContext db, CancellationToken ct) where TEntity : class
    {
        if (database.Provider != DatabaseProvider.Postgres) return;
        var table = db.Model.FindEntityType(typeof(TEntity))?.GetTableName()
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not part of the model.");
        var analyze = $"SET LOCAL lock_timeout = '5s'; ANALYZE \"{table}\"";
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(analyze, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Saves what <paramref name="add"/> puts in the context; false when a concurrent writer
    /// inserted the same unique key first, which callers take as "someone else did it". Any other
    /// failure is thrown. The rows added are no longer tracked afterwards, either way.
    /// </summary>
    public static async Task<bool> TryInsertAsync(DonationsDbContext db, Action<DonationsDbContext> add, CancellationToken ct)
    {
        var before = db.ChangeTracker.Entries().Select(e => e.Entity).ToHashSet(ReferenceEqualityComparer.Instance);
        add(db);
        var added = db.ChangeTracker.Entries().Where(e => !before.Contains(e.Entity)).ToList();
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            return false;
        }
        finally
        {
            foreach (var entry in added) entry.State = EntityState.Detached;
        }
    }

    /// <summary>
    /// Inserts one row unless its key exists; false for a duplicate. PostgreSQL and SQLite say so
    /// with <c>ON CONFLICT DO NOTHING</c> (a duplicate is a normal outcome there, not an error to
    /// log and unwind); SQL Server catches the unique violation.
    /// </summary>
    public async Task<bool> InsertUnlessPresentAsync<TEntity>(DonationsDbContext db, TEntity row, CancellationToken ct) where TEntity : class
    {
        if (database.Provider == DatabaseProvider.SqlServer)
            return await TryInsertAsync(db, d => d.Add(row), ct);

        var entityType = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not part of the model.");
        var plan = InsertPlans.GetOrAdd((entityType, database.Provider == DatabaseProvider.Postgres), InsertPlan.For);
        var values = new KeyValuePair<string, object?>[plan.Columns.Count];
        for (var i = 0; i < values.Length; i++) values[i] = new(plan.Columns[i].Parameter, plan.Columns[i].ValueOf(row));
        return await ExecuteAsync(db, plan.Sql, values, async c => await c.ExecuteNonQueryAsync(ct), ct) == 1;
    }

    /// <summary>Each entity's insert, built once: webhooks insert an inbox row per request.</summary>
    private static readonly ConcurrentDictionary<(IEntityType Entity, bool Positional), InsertPlan> InsertPlans = new();

    private sealed record InsertColumn(string Parameter, Func<object, object?> Read, ValueConverter? Converter)
    {
        public object? ValueOf(object row)
        {
            var value = Read(row);
            return value is null || Converter is null ? value : Converter.ConvertToProvider(value);
        }

        /// <summary>The property's getter as a compiled delegate: reflection's GetValue per column per insert showed in profiles.</summary>
        public static Func<object, object?> Getter(PropertyInfo property)
        {
            var row = Expr.Parameter(typeof(object), "row");
            var read = Expr.Property(Expr.Convert(row, property.DeclaringType!), property);
            return Expr.Lambda<Func<object, object?>>(Expr.Convert(read, typeof(object)), row).Compile();
        }
    }

    private sealed record InsertPlan(string Sql, IReadOnlyList<InsertColumn> Columns)
    {
        /// <param name="positional">
        /// PostgreSQL's own <c>$1</c> placeholders and unnamed parameters: Npgsql sends the text as it
        /// is instead of parsing it to rewrite <c>@p0</c> on every execution.
        /// </param>
        public static InsertPlan For((IEntityType Entity, bool Positional) key)
        {
            var (entityType, positional) = key;
            var columns = entityType.GetProperties().Where(p => p.ValueGenerated == ValueGenerated.Never).ToList();
            var sql = $"""
                INSERT INTO "{entityType.GetTableName()}" ({string.Join(", ", columns.Select(c => $"\"{c.GetColumnName()}\""))})
                VALUES ({string.Join(", ", columns.Select((_, i) => positional ? $"${i + 1}" : $"@p{i}"))})
                ON CONFLICT DO NOTHING
                """;
            return new InsertPlan(sql, [.. columns.Select((c, i) => new InsertColumn(positional ? "" : $"p{i}", InsertColumn.Getter(c.PropertyInfo!), c.GetValueConverter() ?? c.GetTypeMapping().Converter))]);
        }
    }

    private async Task<List<TKey>> ClaimInOneStatementAsync<TKey, TOrder>(DonationsDbContext db, BatchClaim claim, CancellationToken ct)
    {
        var (sql, parameters) = OneStatementClaim(claim);
        var rows = await ExecuteAsync(db, sql, parameters, c => ReadAsync<TKey, TOrder>(c, ct), ct);
        // Handed over in the claim's order: RETURNING promises none.
        return rows.OrderBy(r => r.Order).Select(r => r.Key).ToList();
    }

    /// <summary>A batch's claim as one statement (PostgreSQL and SQLite), with its parameters; tests read its plan.</summary>
    internal (string Sql, Dictionary<string, object?> Parameters) OneStatementClaim(BatchClaim claim)
    {
        // PostgreSQL's lock clause ends the row selection; SQLite has one writer at a time and needs none.
        var locking = database.Provider == DatabaseProvider.Postgres ? "FOR UPDATE SKIP LOCKED" : "";
        // Plain ADO.NET: EF would wrap a query of two columns in a SELECT, which an UPDATE cannot be.
        var sql = $"""
            UPDATE "{claim.Table}" SET {claim.Set}
            WHERE "{claim.Key}" IN (
                SELECT "{claim.Key}" FROM "{claim.Table}"
                WHERE {claim.Where}
                ORDER BY "{claim.Order}" LIMIT @claimLimit {locking}
            )
            RETURNING "{claim.Key}", "{claim.Order}"
            """;
        return (sql, With(claim.Parameters, ("claimLimit", claim.Limit)));
    }

    private async Task<List<TKey>> ClaimRowByRowAsync<TKey, TOrder>(DonationsDbContext db, BatchClaim claim, CancellationToken ct)
    {
        var claimed = new List<TKey>(claim.Limit);
        var after = default(TOrder);
        var first = true;
        while (claimed.Count < claim.Limit)
        {
            var page = claim.Limit - claimed.Count;
            var candidates = await ExecuteAsync(db, $"""
                SELECT "{claim.Key}", "{claim.Order}" FROM "{claim.Table}"
                WHERE ({claim.Where}){(first ? "" : $" AND \"{claim.Order}\" > @claimAfter")}
                ORDER BY "{claim.Order}" OFFSET 0 ROWS FETCH NEXT @claimLimit ROWS ONLY
                """, With(claim.Parameters, ("claimLimit", page), ("claimAfter", after)), c => ReadAsync<TKey, TOrder>(c, ct), ct);
            foreach (var (key, order) in candidates)
            {
                // Only one of several claimers racing for the row changes it.
                var won = await ExecuteAsync(db, $"""
                    UPDATE "{claim.Table}" SET {claim.Set} WHERE "{claim.Key}" = @claimKey AND ({claim.Where})
                    """, With(claim.Parameters, ("claimKey", key)), async c => await c.ExecuteNonQueryAsync(ct), ct);
                if (won == 1) claimed.Add(key);
                after = order;
            }
            first = false;
            if (candidates.Count < page) break;
        }
        return claimed;
    }

    private static async Task<List<(TKey Key, TOrder Order)>> ReadAsync<TKey, TOrder>(DbCommand command, CancellationToken ct)
    {
        var rows = new List<(TKey, TOrder)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) rows.Add((reader.GetFieldValue<TKey>(0), reader.GetFieldValue<TOrder>(1)));
        return rows;
    }

    private static Dictionary<string, object?> With(IReadOnlyDictionary<string, object?> parameters, params (string Name, object? Value)[] more)
    {
        var all = new Dictionary<string, object?>(parameters);
        foreach (var (name, value) in more) all[name] = value;
        return all;
    }

    // Parameters the text does not name are left out (a claim's caller passes them all); unnamed
    // ones are positional.
    private async Task<T> ExecuteAsync<T>(
        DonationsDbContext db, string sql, IEnumerable<KeyValuePair<string, object?>> parameters, Func<DbCommand, Task<T>> run, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        // On PostgreSQL, with the connection closed, the pooled connection is opened and closed
        // directly: EF Core's open goes through its execution strategy (not a retrying one here)
        // and diagnostics, and cost as much as a webhook's INSERT itself. A connection the caller
        // opened (a transaction's always is) is EF Core's to keep, its open count right; SQLite's
        // connections need EF Core's set-up on open.
        var direct = database.Provider == DatabaseProvider.Postgres && connection.State == ConnectionState.Closed;
        if (direct) await connection.OpenAsync(ct);
        else await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            foreach (var (name, value) in parameters)
                if (name.Length == 0 || NamesParameter(sql, name)) command.Parameters.Add(Parameter(command, name, value));
            return await run(command);
        }
        finally
        {
            if (direct) await connection.CloseAsync();
            else await db.Database.CloseConnectionAsync();
        }
    }

    private DbParameter Parameter(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        // SqlClient sends a DateTime as the old datetime (1/300 s) unless told otherwise: a
        // claim's mark stored that way would never equal the exact value EF compares it with.
        if (database.Provider == DatabaseProvider.SqlServer && value is DateTime) p.DbType = DbType.DateTime2;
        // One declared size for every text, as EF does: SqlClient otherwise sizes each to its value (a plan per length).
        if (database.Provider == DatabaseProvider.SqlServer && value is string text) p.Size = text.Length <= 4000 ? 4000 : -1;
        return p;
    }

    private static bool NamesParameter(string sql, string name)
    {
        for (var at = sql.IndexOf(name, StringComparison.Ordinal); at >= 0; at = sql.IndexOf(name, at + 1, StringComparison.Ordinal))
            if (at > 0 && sql[at - 1] == '@') return true;
        return false;
    }
}
