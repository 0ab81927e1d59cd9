using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Takes pending receipts for one sender: each is set to "claimed until" a lease, and a receipt
/// goes to exactly one of several senders racing for it (<see cref="RowClaims"/>). The lease's end
/// is also the claim's mark: a sender still busy with its batch when half the lease has gone
/// renews it (<see cref="KeepAsync"/>) only on the rows that still carry its mark, so a slow batch
/// never sends a receipt another sender has since taken.
/// </summary>
public sealed class ReceiptClaims(DonationsDbContext db, RowClaims claims, TimeProvider clock)
{
    public IQueryable<Receipt> Due()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Receipts.Where(r => r.Status == ReceiptStatus.Pending && (r.ClaimedUntil == null || r.ClaimedUntil < now));
    }

    public async Task<HeldReceipts> ClaimAsync(int size, TimeSpan lease, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = RowClaims.Mark(now + lease);
        var ids = await claims.ClaimBatchAsync<long, long>(db, new BatchClaim(
            Table: "Receipts", Key: "Id", Order: "Id",
            Set: "\"ClaimedUntil\" = @until, \"Attempts\" = \"Attempts\" + 1",
            Where: "\"Status\" = @status AND (\"ClaimedUntil\" IS NULL OR \"ClaimedUntil\" < @now)",
            Limit: size,
            Parameters: new Dictionary<string, object?> { ["until"] = until, ["status"] = nameof(ReceiptStatus.Pending), ["now"] = now }), ct);
        return new HeldReceipts(ids, until, lease);
    }

    /// <summary>
    /// True while <paramref name="id"/> is still this sender's to send. Past half the lease, the
    /// unsent rows still carrying this claim's mark get a new lease; a row whose
    /// lease ran out and was taken by another sender no longer carries the mark and is dropped.
    /// </summary>
    public async Task<bool> KeepAsync(HeldReceipts held, long id, CancellationToken ct)
    {
        if (!held.Unsent.Contains(id)) return false;
        var now = clock.GetUtcNow().UtcDateTime;
        if (now < held.Until - held.Lease / 2) return true;

        // Row by row, each kept only if it still carries this claim's mark: a batch statement
        // could not tell our rows from ones another sender has just claimed with the same lease
        // end. This runs at most once per half lease, for batches slower than that.
        var mark = held.Until;
        var renewed = RowClaims.Mark(now + held.Lease);
        var kept = new List<long>();
        foreach (var unsent in held.Unsent)
        {
            if (await db.Receipts.Where(r => r.Id == unsent && r.Status == ReceiptStatus.Pending && r.ClaimedUntil == mark)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedUntil, renewed), ct) == 1)
                kept.Add(unsent);
        }
        held.Renewed(kept, renewed);
        return held.Unsent.Contains(id);
    }
}

/// <summary>One sender's claimed batch: the rows not sent yet and the end of their lease, which marks them as this claim's.</summary>
public sealed class HeldReceipts(IReadOnlyList<long> ids, DateTime until, TimeSpan lease)
{
    private HashSet<long> _unsent = [.. ids];

    public IReadOnlyList<long> Ids { get; } = ids;
    public int Count => Ids.Count;
    public DateTime Until { get; private set; } = until;
    public TimeSpan Lease { get; } = lease;
    public IReadOnlySet<long> Unsent => _unsent;

    public void Done(long id) => _unsent.Remove(id);

    internal void Renewed(IEnumerable<long> kept, DateTime until)
    {
        _unsent = [.. kept];
        Until = until;
    }
}
