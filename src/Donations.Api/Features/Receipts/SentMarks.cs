using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Marks a batch's receipts Sent (or Failed, when refused) on a database connection of its own
/// while the sending loop goes on with the next messages, several receipts to a statement (group
/// commit). A statement starts once <see cref="MinGroup"/> marks wait, or <see cref="GroupWait"/>
/// after the drain found the first of them waiting, or at once when the sender waits on the marks
/// (at the limit below, or at the batch's end); whatever the server accepts meanwhile goes in the
/// next. One statement per message cost a quarter of the sender's CPU and a round trip the
/// connection waited on; starting on the first mark still made groups of one or two at full speed
/// (a mark's round trip is about one message's sending), each paying EF Core's and PostgreSQL's
/// cost per statement.
/// <para>An accepted receipt stays in its claim (<see cref="HeldReceipts.Accepted"/>), its lease
/// renewed, until its mark commits; a mark only lands on a row still carrying this claim's lease, so
/// a receipt another sender took after a lapse of renewal is that sender's to send and mark.</para>
/// <para>The trade, against marking each receipt before sending the next: a crash after the mail
/// server accepted a message and before its mark is committed sends that receipt again (with the
/// same Message-Id) once its lease runs out, as before; now up to <see cref="MaxUnmarked"/>
/// receipts can be in that state at once instead of one. The sender waits for the marks before it
/// sends more than that.</para>
/// <para>Single caller: only the batch's sending loop calls it, one call at a time; it is not
/// thread-safe beyond that loop and its own statements.</para>
/// </summary>
public sealed class SentMarks(IServiceScopeFactory scopes, HeldReceipts batch, TimeProvider clock, DonationsMetrics metrics, ILogger log)
    : IAsyncDisposable
{
    /// <summary>At most this many receipts are ever out with the mail server and not yet marked.</summary>
    public const int MaxUnmarked = 8;

    /// <summary>A statement waits for this many marks, half the limit, so the sender goes on while it runs.</summary>
    public const int MinGroup = MaxUnmarked / 2;

    /// <summary>How long the first waiting mark waits for the rest of its group (a slow server, the batch's tail).</summary>
    public static readonly TimeSpan GroupWait = TimeSpan.FromMilliseconds(20);

    private sealed record Mark(long Id, string Kind, string? Refusal);

    private readonly AsyncServiceScope _scope = scopes.CreateAsyncScope();
    private readonly Lock _lock = new();
    private readonly List<Mark> _waiting = [];
    private readonly List<long> _unmarkedRefusals = [];
    private int _unmarked;
    private Task _draining = Task.CompletedTask;
    private bool _drainRunning;
    private Exception? _failed;
    private TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // How many unmarked receipts the sender is waiting to get down to; none while it is not waiting.
    private int _senderWaitsFor = int.MaxValue;
    private bool _closing;

    private DonationsDbContext Db => field ??= _scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
    private RowClaims Claims => field ??= _scope.ServiceProvider.GetRequiredService<RowClaims>();

    private static readonly string MarkSent =
        $"\"Status\" = '{ReceiptStatus.Sent}', \"SentAt\" = @now, \"LastError\" = NULL, \"ClaimedUntil\" = NULL";
    private static readonly string MarkFailed =
        $"\"Status\" = '{ReceiptStatus.Failed}', \"SentAt\" = NULL, \"LastError\" = @error, \"ClaimedUntil\" = NULL";

    /// <summary>
    /// The mail server accepted receipt <paramref name="id"/>'s message. Its mark goes in the
    /// running statement's successor; waits only while <see cref="MaxUnmarked"/> receipts are
    /// unmarked. A statement that failed (twice) is thrown here or at the next call.
    /// </summary>
    public Task SentAsync(long id, string kind) => EnqueueAsync(new Mark(id, kind, null), MaxUnmarked - 1);

    /// <summary>A refused receipt: marked Failed with the server's reason, in order with the sent ones.</summary>
    public Task FailedAsync(long id, string kind, string error) =>
        EnqueueAsync(new Mark(id, kind, error.Length > 2000 ? error[..2000] : error), MaxUnmarked - 1);

    /// <summary>Every receipt reported sent or refused is marked when this returns.</summary>
    public Task FlushAsync() => WaitForAsync(0);

    /// <summary>Refused receipts whose Failed mark never committed: still pending under this claim, to be released.</summary>
    public IReadOnlyList<long> UnmarkedRefusals()
    {
        lock (_lock) return [.. _unmarkedRefusals, .. _waiting.Where(m => m.Refusal is not null).Select(m => m.Id)];
    }

    private Task EnqueueAsync(Mark mark, int leaveAtMost)
    {
        lock (_lock)
        {
            batch.Accepted(mark.Id);
            _waiting.Add(mark);
            _unmarked++;
            if (!_drainRunning && _failed is null)
            {
                _drainRunning = true;
                _draining = Task.Run(DrainAsync);
            }
            else if (_waiting.Count == MinGroup) Wake();
        }
        return WaitForAsync(leaveAtMost);
    }

    private async Task WaitForAsync(int leaveAtMost)
    {
        var waiting = false;
        try
        {
            while (true)
            {
                Task committed;
                lock (_lock)
                {
                    if (_failed is not null) throw new InvalidOperationException("Marking sent receipts failed: " + _failed.Message, _failed);
                    if (_unmarked <= leaveAtMost) return;
                    committed = _committed.Task;
                    // The sender waits: what is waiting goes now, group or not.
                    if (!waiting)
                    {
                        waiting = true;
                        _senderWaitsFor = leaveAtMost;
                        Wake();
                    }
                }
                await committed;
            }
        }
        finally
        {
            if (waiting)
                lock (_lock) _senderWaitsFor = int.MaxValue;
        }
    }

    /// <summary>Tells a drain waiting for its group that the group is complete, the sender waits or the batch closes. Under the lock.</summary>
    private void Wake()
    {
        var arrived = _arrived;
        _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        arrived.SetResult();
    }

    /// <summary>One statement after another while marks wait, each a group (see the class's summary).</summary>
    private async Task DrainAsync()
    {
        Task? groupDue = null;
        while (true)
        {
            List<Mark> next;
            Task arrived;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _drainRunning = false;
                    return;
                }
                groupDue ??= Task.Delay(GroupWait, clock);
                arrived = _arrived.Task;
                // The sender counts as waiting only while it still has to: once a commit brought the
                // count down far enough, it is on its way, and the next group forms as usual.
                if (_waiting.Count >= MinGroup || _unmarked > _senderWaitsFor || _closing || groupDue.IsCompleted)
                {
                    // The sent ones up to the next refusal in one statement; a refusal on its own.
                    var sent = _waiting.TakeWhile(m => m.Refusal is null).ToList();
                    next = sent.Count > 0 ? sent : [_waiting[0]];
                    _waiting.RemoveRange(0, next.Count);
                }
                else next = [];
            }
            if (next.Count == 0)
            {
                await Task.WhenAny(arrived, groupDue);
                continue;
            }
            groupDue = null;
            try
            {
                await WithOneRetryAsync(() => WriteAsync(next));
            }
            catch (Exception ex)
            {
                TaskCompletionSource wake;
                lock (_lock)
                {
                    _failed = ex;
                    _drainRunning = false;
                    _unmarkedRefusals.AddRange(next.Where(m => m.Refusal is not null).Select(m => m.Id));
                    wake = Swap();
                }
                wake.SetResult();
                return;
            }
            foreach (var mark in next)
            {
                batch.Done(mark.Id);
                metrics.Receipt(mark.Kind, mark.Refusal is null ? "sent" : "rejected");
            }
            TaskCompletionSource committed;
            lock (_lock)
            {
                _unmarked -= next.Count;
                committed = Swap();
            }
            committed.SetResult();
        }
    }

    private TaskCompletionSource Swap()
    {
        var previous = _committed;
        _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        return previous;
    }

    private async Task WithOneRetryAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Receipts: marking sent receipts failed; trying once more");
            await write();
        }
    }

    /// <summary>
    /// Only rows still pending under this claim's lease. Should the lease be renewed while the
    /// statement runs, a row may carry the new lease end the statement did not know: then the
    /// statement goes again with the lease ends known now (rows it marked are no longer pending).
    /// </summary>
    private async Task WriteAsync(List<Mark> marks)
    {
        var ids = marks.Select(m => m.Id).ToList();
        var refusal = marks[0].Refusal;
        var now = clock.GetUtcNow().UtcDateTime;
        var written = 0;
        while (true)
        {
            var (leaseEnds, version) = batch.Marks();
            // Not cancellable: the messages are out (or refused), and the marks must say so.
            written += await Claims.UpdateHeldAsync(Db, "Receipts", "Id", ids, "ClaimedUntil", leaseEnds,
                refusal is null ? MarkSent : MarkFailed, Receipt.StatusIs(ReceiptStatus.Pending),
                new Dictionary<string, object?> { ["now"] = now, ["error"] = refusal }, CancellationToken.None);
            if (written == ids.Count || batch.Version == version) break;
        }
        if (written < ids.Count)
            log.LogWarning("Receipts: {Count} accepted receipt(s) were taken by another sender after this batch's lease lapsed; that sender sends and marks them",
                ids.Count - written);
    }

    public async ValueTask DisposeAsync()
    {
        // A failed statement was thrown to the sender already; its receipts go again once their lease runs out.
        Task draining;
        lock (_lock)
        {
            // Whatever still waits for its group goes now.
            _closing = true;
            Wake();
            draining = _draining;
        }
        await draining;
        await _scope.DisposeAsync();
    }
}
