namespace Donations.Api.Features.StripeWebhooks;

/// <summary>Wakes this node's dispatcher when an event was committed, so it need not wait for its poll.</summary>
public sealed class InboxSignal
{
    private readonly SemaphoreSlim _wake = new(0);
    private int _pending;

    public void Notify()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0) _wake.Release();
    }

    /// <summary>Returns on a notification or after <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        await _wake.WaitAsync(timeout, ct);
        Interlocked.Exchange(ref _pending, 0);
    }
}
