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
            Where: "\"Status\" = @status AND (\"ClaimedUntil\" IS NULL OR \"ClaimedUntil\" < @now)",
            Limit: size,
            Parameters: new Dictionary<string, object?> { ["until"] = until, ["status"] = nameof(ReceiptStatus.Pending), ["now"] = now }), ct);
        return new HeldReceipts(ids, until, lease);
    }

    /// <summary>
    /// A new lease for the unsent rows that still carry this claim's mark, row by row: a batch
    /// statement could not tell our rows from ones another sender has just claimed with the same
    /// lease end. A row whose lease ran out and was taken by another sender is no longer held.
    /// </summary>
    public async Task RenewAsync(HeldReceipts held, CancellationToken ct)
    {
        var (unsent, mark) = held.Snapshot();
        var renewed = RowClaims.Mark(clock.GetUtcNow().UtcDateTime + held.Lease);
        var kept = new List<long>();
        foreach (var id in unsent)
        {
            if (await db.Receipts.Where(r => r.Id == id && r.Status == ReceiptStatus.Pending && r.ClaimedUntil == mark)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.ClaimedUntil, renewed), ct) == 1)
                kept.Add(id);
        }
        held.Renewed(unsent, kept, renewed);
    }
}

/// <summary>
/// One sender's claimed batch: the rows not sent yet and the end of their lease, which marks them
/// as this claim's. Shared by the sending loop and the lease's renewal, hence the lock.
/// </summary>
public sealed class HeldReceipts(IReadOnlyList<long> ids, DateTime until, TimeSpan lease)
{
    private readonly Lock _lock = new();
    private readonly HashSet<long> _unsent = [.. ids];

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

    public void Done(long id)
    {
        lock (_lock) _unsent.Remove(id);
    }

    public IReadOnlyList<long> Unsent()
    {
        lock (_lock) return [.. _unsent];
    }

    internal (List<long> Unsent, DateTime Mark) Snapshot()
    {
        lock (_lock) return ([.. _unsent], Until);
    }

    /// <summary>Of the rows tried, those not kept are lost to another sender; rows sent meanwhile stay done.</summary>
    internal void Renewed(List<long> tried, List<long> kept, DateTime until)
    {
        lock (_lock)
        {
            foreach (var id in tried.Except(kept)) _unsent.Remove(id);
            Until = until;
        }
    }
}

/// <summary>
/// Marks a batch's receipts Sent on a database connection of its own while the sending loop goes
/// on with the next messages, several receipts to a statement (group commit): whatever was
/// accepted by the mail server while the last statement ran goes in the next one. One statement
/// per message cost a quarter of the sender's CPU and a round trip the connection waited on.
/// <para>The trade, against marking each receipt before sending the next: a crash after the mail
/// server accepted a message and before its mark is committed sends that receipt again (with the
/// same Message-Id) once its lease runs out, as before; now up to <see cref="MaxUnmarked"/>
/// receipts can be in that state at once instead of one, and each for up to two statements'
/// time instead of one. The sender waits for the marks before it sends more than that.</para>
/// </summary>
public sealed class SentMarks(IServiceScopeFactory scopes, TimeProvider clock) : IAsyncDisposable
{
    /// <summary>At most this many receipts are ever out with the mail server and not yet marked Sent.</summary>
    public const int MaxUnmarked = 8;

    private readonly AsyncServiceScope _scope = scopes.CreateAsyncScope();
    private List<long> _waiting = [];
    private Task _running = Task.CompletedTask;
    private int _runningCount;

    private DonationsDbContext Db => field ??= _scope.ServiceProvider.GetRequiredService<DonationsDbContext>();

    /// <summary>
    /// The mail server accepted receipt <paramref name="id"/>'s message. Starts a statement for it
    /// and whatever else waits unless one is running; waits only when <see cref="MaxUnmarked"/>
    /// would be exceeded. A failed statement is thrown here or at the next call.
    /// </summary>
    public async Task SentAsync(long id)
    {
        _waiting.Add(id);
        if (!_running.IsCompleted && _waiting.Count + _runningCount < MaxUnmarked) return;
        await _running;
        Start();
    }

    /// <summary>Every receipt reported sent is marked when this returns.</summary>
    public async Task FlushAsync()
    {
        await _running;
        if (_waiting.Count == 0) return;
        Start();
        await _running;
    }

    /// <summary>A refused receipt: marked Failed with the server's reason, after the sent ones before it.</summary>
    public async Task FailedAsync(long id, string error)
    {
        await FlushAsync();
        await Db.Receipts.Where(r => r.Id == id && r.Status == ReceiptStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, ReceiptStatus.Failed)
                .SetProperty(r => r.SentAt, (DateTime?)null)
                .SetProperty(r => r.LastError, error.Length > 2000 ? error[..2000] : error)
                .SetProperty(r => r.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }

    private void Start()
    {
        var ids = _waiting;
        _waiting = [];
        _runningCount = ids.Count;
        _running = MarkSentAsync(ids);
    }

    // Not cancellable: the messages are out, and the marks must say so. Only rows still pending.
    private Task MarkSentAsync(List<long> ids)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return Db.Receipts.Where(r => ids.Contains(r.Id) && r.Status == ReceiptStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, ReceiptStatus.Sent)
                .SetProperty(r => r.SentAt, now)
                .SetProperty(r => r.LastError, (string?)null)
                .SetProperty(r => r.ClaimedUntil, (DateTime?)null), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        // A failed statement was thrown to the sender already; its receipts go again once their lease runs out.
        try { await _running; }
        catch (Exception) { }
        await _scope.DisposeAsync();
    }
}
