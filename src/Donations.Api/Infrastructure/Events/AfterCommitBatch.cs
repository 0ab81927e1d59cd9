namespace Donations.Api.Infrastructure.Events;

/// <summary>
/// Lets a job that commits many units of work one by one (a batch of Stripe events) have the
/// after-commit subscribers that can coalesce hold their follow-up work until the batch is done,
/// so a burst of gifts queues one follow-up job instead of one per gift. Scoped: the job and the
/// subscribers it publishes to share one. Outside a batch it is closed and subscribers act at once.
/// Held work is lost if the process dies before <see cref="CloseAsync"/>: only subscribers whose
/// work a sweeper also finds may hold.
/// </summary>
public sealed class AfterCommitBatch
{
    private readonly List<Func<CancellationToken, Task>> _flushes = [];
    private readonly HashSet<object> _holders = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<object, object> _gathered = new(ReferenceEqualityComparer.Instance);

    public bool IsOpen { get; private set; }

    public void Open() => IsOpen = true;

    /// <summary>While open, <paramref name="holder"/> has work to release through <paramref name="flush"/> at close.</summary>
    public void Hold(object holder, Func<CancellationToken, Task> flush)
    {
        if (!IsOpen) throw new InvalidOperationException("No batch is open.");
        if (_holders.Add(holder)) _flushes.Add(flush);
    }

    /// <summary>
    /// Outside a batch, hands <paramref name="items"/> to <paramref name="flush"/> at once; inside one,
    /// gathers them with what <paramref name="holder"/> gathered before and hands all of them over
    /// once, when the batch closes.
    /// </summary>
    public Task GatherAsync<T>(object holder, IEnumerable<T> items, Func<IReadOnlyList<T>, CancellationToken, Task> flush, CancellationToken ct)
    {
        if (!IsOpen) return flush([.. items], ct);
        if (_gathered.TryGetValue(holder, out var gathered)) ((List<T>)gathered).AddRange(items);
        else
        {
            var held = new List<T>(items);
            _gathered[holder] = held;
            Hold(holder, token => flush(held, token));
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Releases everything held, in the order it was first held. One release failing stops none of
    /// the others (a retry of the batch would not gather their work again); the failures are thrown
    /// together at the end, so the job shows them.
    /// </summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        IsOpen = false;
        var flushes = _flushes.ToList();
        _flushes.Clear();
        _holders.Clear();
        _gathered.Clear();
        List<Exception>? failures = null;
        foreach (var flush in flushes)
        {
            try
            {
                await flush(ct);
            }
            catch (Exception e)
            {
                (failures ??= []).Add(e);
            }
        }
        if (failures is not null) throw new AggregateException("Work held until the end of a batch failed.", failures);
    }
}
