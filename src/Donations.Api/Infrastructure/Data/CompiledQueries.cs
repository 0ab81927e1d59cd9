using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Donations.Api.Infrastructure.Data;

/// <summary>
/// A query EF Core compiles once instead of on every call (<c>EF.CompileAsyncQuery</c>), for the
/// lookups every gift makes: building the LINQ expression, extracting its parameters and finding
/// it in the query cache cost more CPU than the database spent answering. A compiled query belongs
/// to one model, and each database provider has its own, so one is compiled per model.
/// </summary>
public sealed class CompiledQueries<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = new();
    // One delegate for the lifetime, not a closure per lookup.
    private readonly ConditionalWeakTable<IModel, TQuery>.CreateValueCallback _compile = _ => compile();

    public TQuery For(DbContext db) => _byModel.GetValue(db.Model, _compile);
}
