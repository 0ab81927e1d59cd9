using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Takes pending receipts for one sender: each is set to "claimed until" a lease, and a receipt
/// goes to exactly one of several senders racing for it (<see cref="RowClaims"/>). The lease's end
/// is also the claim's mark: while a sender works through its batch, it renews the lease
/// (<see cref="RenewAsync"/>) only on the rows that still carry its mark, so a slow batch never
/// sends a receipt another sender has since taken.
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
            // The status as a literal, as the partial index of pending receipts names it, so it serves the claim.
            Where: $"{Receipt.StatusIs(ReceiptStatus.Pending)} AND (\"ClaimedUntil\" IS NULL OR \"ClaimedUntil\" < @now)",
            Limit: size,
            Parameters: new Dictionary<string, object?> { ["until"] = until, ["now"] = now }), ct);
        return new HeldReceipts(ids, until, lease);
    }

    /// <summary>
    /// A new lease for the rows this claim still holds (unsent, or accepted by the mail server and
    /// not yet marked) that still carry its mark, row by row: a batch statement could not tell our
    /// rows from ones another sender has just claimed with the same lease end. A row whose lease ran
    /// out and was taken by another sender is no longer held.
    /// </summary>
    public async Task RenewAsync(HeldReceipts held, CancellationToken ct)
    {
        var renewed = RowClaims.Mark(clock.GetUtcNow().UtcDateTime + held.Lease);
        var (ids, marks) = held.BeginRenewal(renewed);
        var kept = new List<long>();
        foreach (var id in ids)
        {
            if (await db.Receipts.Where(r => r.Id == id && r.Status == ReceiptStatus.Pending && marks.Contains(r.ClaimedUntil))
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedUntil, renewed), ct) == 1)
                kept.Add(id);
        }
        held.Renewed(ids, kept, renewed);
    }
}

/// <summary>
/// One sender's claimed batch: the rows not sent yet, the rows the mail server accepted whose mark
/// has not committed yet, and the end of their lease, which marks them as this claim's. Both kinds
/// are renewed: an accepted receipt left to its first lease could be taken and sent again by another
/// sender before its mark lands. Shared by the sending loop, the sent marks and the lease's renewal,
/// hence the lock.
/// </summary>
public sealed class HeldReceipts(IReadOnlyList<long> ids, DateTime until, TimeSpan lease)
{
    private readonly Lock _lock = new();
    private readonly HashSet<long> _unsent = [.. ids];
    private readonly HashSet<long> _accepted = [];
    private readonly List<DateTime?> _marks = [until];
    private long _version;

    public IReadOnlyList<long> Ids { get; } = ids;
    public int Count => Ids.Count;
    public TimeSpan Lease { get; } = lease;
    public DateTime Until { get { lock (_lock) return field; } private set; } = until;

    /// <summary>
    /// True while <paramref name="id"/> is unsent, still ours, and its lease has at least a third
    /// left at <paramref name="now"/>: enough for one message even if renewal stalls meanwhile.
    /// </summary>
    public bool IsHeld(long id, DateTime now)
    {
        lock (_lock) return _unsent.Contains(id) && now < Until - Lease / 3;
    }

    /// <summary>The mail server took <paramref name="id"/>: not to be sent or released, but held until its mark commits.</summary>
    public void Accepted(long id)
    {
        lock (_lock)
        {
            if (_unsent.Remove(id)) _accepted.Add(id);
        }
    }

    /// <summary>Marked (or given up): no longer this claim's to renew.</summary>
    public void Done(long id)
    {
        lock (_lock)
        {
            _unsent.Remove(id);
            _accepted.Remove(id);
        }
    }

    /// <summary>The rows not sent yet: the ones to release when the batch stops early.</summary>
    public IReadOnlyList<long> Unsent()
    {
        lock (_lock) return [.. _unsent];
    }

    /// <summary>Accepted by the mail server and still waiting for their mark.</summary>
    public IReadOnlyList<long> Unmarked()
    {
        lock (_lock) return [.. _accepted];
    }

    /// <summary>
    /// The lease ends a row of this claim may carry now: one, or more while a renewal is under way
    /// or after one stopped halfway; and a version that changes whenever that may have changed.
    /// </summary>
    internal (DateTime?[] Marks, long Version) Marks()
    {
        lock (_lock) return ([.. _marks], _version);
    }

    internal long Version
    {
        get { lock (_lock) return _version; }
    }

    internal (List<long> Ids, DateTime?[] Marks) BeginRenewal(DateTime renewed)
    {
        lock (_lock)
        {
            var marks = _marks.ToArray();
            _marks.Add(renewed);
            _version++;
            return ([.. _unsent, .. _accepted], marks);
        }
    }

    /// <summary>
    /// Of the rows tried, those not kept are lost to another sender (or marked meanwhile); rows
    /// sent meanwhile stay done. A renewal that stopped halfway never gets here: its rows may carry
    /// either lease end until the next one goes through.
    /// </summary>
    internal void Renewed(List<long> tried, List<long> kept, DateTime until)
    {
        lock (_lock)
        {
            foreach (var id in tried.Except(kept))
            {
                _unsent.Remove(id);
                _accepted.Remove(id);
            }
            Until = until;
            _marks.Clear();
            _marks.Add(until);
            _version++;
        }
    }
}
