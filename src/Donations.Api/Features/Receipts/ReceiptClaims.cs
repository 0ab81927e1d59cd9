using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Takes pending receipts for one sender: each is set to "claimed until" a lease, and a receipt
/// goes to exactly one of several senders racing for it. On PostgreSQL and SQLite a batch is one
/// statement (<c>UPDATE … RETURNING</c>; PostgreSQL's <c>SKIP LOCKED</c> sends racing senders to
/// different rows instead of queueing them on the same ones). Claiming row by row cost a round
/// trip per receipt and, with ten senders starting together, most of a batch's time.
/// </summary>
public sealed class ReceiptClaims(DonationsDbContext db, DatabaseSettings database, TimeProvider clock)
{
    public IQueryable<Receipt> Due()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Receipts.Where(r => r.Status == ReceiptStatus.Pending && (r.ClaimedUntil == null || r.ClaimedUntil < now));
    }

    public Task<List<long>> ClaimAsync(int size, TimeSpan lease, CancellationToken ct) => database.Provider == DatabaseProvider.SqlServer
        ? ClaimRowByRowAsync(size, lease, ct)
        : ClaimInOneStatementAsync(size, lease, database.BatchClaimLocking, ct);

    private async Task<List<long>> ClaimInOneStatementAsync(int size, TimeSpan lease, string locking, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + lease;
        // Only the locking clause is spliced into the text, and it is a constant; every value is a parameter.
        var sql = FormattableStringFactory.Create("""
            UPDATE "Receipts" SET "ClaimedUntil" = {0}, "Attempts" = "Attempts" + 1
            WHERE "Id" IN (
                SELECT "Id" FROM "Receipts"
                WHERE "Status" = {1} AND ("ClaimedUntil" IS NULL OR "ClaimedUntil" < {2})
                ORDER BY "Id" LIMIT {3} 
            """ + locking + """
            )
            RETURNING "Id" AS "Value"
            """, until, nameof(ReceiptStatus.Pending), now, size);
        var ids = await db.Database.SqlQuery<long>(sql).ToListAsync(ct);
        ids.Sort();
        return ids;
    }

    private async Task<List<long>> ClaimRowByRowAsync(int size, TimeSpan lease, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + lease;
        var claimed = new List<long>(size);
        var after = 0L;
        // Senders starting together see the same candidates; a loser moves on to later ones
        // instead of coming back with a short batch.
        while (claimed.Count < size)
        {
            var candidates = await Due().Where(r => r.Id > after).OrderBy(r => r.Id).Select(r => r.Id)
                .Take(size - claimed.Count).ToListAsync(ct);
            if (candidates.Count == 0) break;
            foreach (var id in candidates)
            {
                // Only one of several senders racing for the receipt gets a row back.
                var won = await db.Receipts
                    .Where(r => r.Id == id && r.Status == ReceiptStatus.Pending && (r.ClaimedUntil == null || r.ClaimedUntil < now))
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(r => r.ClaimedUntil, until)
                        .SetProperty(r => r.Attempts, r => r.Attempts + 1), ct);
                if (won == 1) claimed.Add(id);
                after = id;
            }
        }
        return claimed;
    }
}
