using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Takes pending receipts for one sender: each is set to "claimed until" a lease, and a receipt
/// goes to exactly one of several senders racing for it (<see cref="RowClaims"/>).
/// </summary>
public sealed class ReceiptClaims(DonationsDbContext db, RowClaims claims, TimeProvider clock)
{
    public IQueryable<Receipt> Due()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Receipts.Where(r => r.Status == ReceiptStatus.Pending && (r.ClaimedUntil == null || r.ClaimedUntil < now));
    }

    public Task<List<long>> ClaimAsync(int size, TimeSpan lease, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return claims.ClaimBatchAsync<long, long>(db, new BatchClaim(
            Table: "Receipts", Key: "Id", Order: "Id",
            Set: "\"ClaimedUntil\" = @until, \"Attempts\" = \"Attempts\" + 1",
            Where: "\"Status\" = @status AND (\"ClaimedUntil\" IS NULL OR \"ClaimedUntil\" < @now)",
            Limit: size,
            Parameters: new Dictionary<string, object?> { ["until"] = now + lease, ["status"] = nameof(ReceiptStatus.Pending), ["now"] = now }), ct);
    }
}
