using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Receipt numbers come from the database, one counter row per calendar year (organisation's
/// time zone). <see cref="NextAsync"/> increments the row inside the caller's transaction: the
/// UPDATE locks it until commit, so concurrent allocators queue, and a rollback gives the number
/// back — no duplicates, no gaps, on any number of workers and instances.
/// </summary>
public sealed class ReceiptNumbers(DonationsDbContext db, IServiceScopeFactory scopes, IOptions<OrganizationOptions> organization)
{
    public int YearOf(DateTime receivedAtUtc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(receivedAtUtc, DateTimeKind.Utc), organization.Value.GetTimeZone()).Year;

    public static string Format(int year, int sequence) => $"{year}-{sequence:000000}";

    /// <summary>
    /// Creates the year's counter row if missing, committed on its own before the allocating
    /// transaction starts (SQLite allows one writer; PostgreSQL would abort the outer transaction
    /// on a duplicate key). Two creators racing is fine: the loser's duplicate key is ignored.
    /// </summary>
    public async Task EnsureCounterAsync(int year, CancellationToken ct)
    {
        if (await db.ReceiptCounters.AnyAsync(c => c.Year == year, ct)) return;
        await using var scope = scopes.CreateAsyncScope();
        var own = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
        // Losing the race to another creator is fine: the counter exists either way.
        await RowClaims.TryInsertAsync(own, d => d.ReceiptCounters.Add(new ReceiptCounter { Year = year, LastSequence = 0 }), ct);
    }

    /// <summary>Allocates the next sequence of <paramref name="year"/>; call inside the transaction that inserts the receipt.</summary>
    public Task<int> NextAsync(int year, CancellationToken ct) => NextAsync(year, 1, ct);

    /// <summary>
    /// Allocates <paramref name="count"/> consecutive sequences of <paramref name="year"/> in one
    /// statement and returns the first; call inside the transaction that inserts their receipts.
    /// </summary>
    public async Task<int> NextAsync(int year, int count, CancellationToken ct)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Receipt numbers are allocated inside the transaction that stores the receipt.");
        var counter = db.ReceiptCounters.Where(c => c.Year == year);
        var updated = await counter.ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSequence, c => c.LastSequence + count), ct);
        if (updated != 1)
            throw new InvalidOperationException($"No receipt counter for {year}; call EnsureCounterAsync first.");
        return await counter.Select(c => c.LastSequence).SingleAsync(ct) - count + 1;
    }
}
