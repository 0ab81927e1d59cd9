using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Queues receipt work, and keeps the sending jobs of this node few. Every issued receipt asks
/// for a send, but one sending job covers every receipt committed before it claims, so:
/// <list type="bullet">
/// <item>while a sending job this node queued has not started, another request queues nothing;</item>
/// <item>at most <c>Email:Smtp:Connections</c> senders run on the node; each keeps claiming
/// batches while they come back full, and the one that starts a drain brings in the others;</item>
/// <item>while the mail server is down, one failed job retries (at least once a minute) on behalf
/// of all, instead of one retrying job per receipt.</item>
/// </list>
/// Nothing here decides what is sent: claims do (<see cref="ReceiptClaims"/>). Whatever a gate
/// holds back, the minutely <see cref="ReceiptsSweeper"/> asks again.
/// </summary>
public sealed class ReceiptScheduler(IBackgroundJobClient jobs, JobStorage storage, TimeProvider clock, IOptions<EmailOptions> email)
{
    /// <summary>
    /// After a failed connection, how long requests rely on that job's retry: a little over the
    /// longest of <see cref="SendPendingReceipts"/>' retry delays (60 s).
    /// </summary>
    public static readonly TimeSpan OutageWindow = TimeSpan.FromSeconds(90);

    private readonly Lock _lock = new();
    private string? _queuedJobId;
    private long _outageSince;
    private string? _outageCarrier;
    private int _running;
    private bool _wakeMissed;

    /// <summary>
    /// Asks for a donation's receipts to be brought in line with its state: an original receipt once
    /// it is settled, a void notice or corrected receipt after a refund or lost dispute. Idempotent,
    /// so asking again (a duplicate event, a retry after a crash) is always safe.
    /// </summary>
    public void Schedule(long donationId) =>
        jobs.Enqueue<ReconcileReceipts>(JobQueues.Email, job => job.RunAsync(donationId, CancellationToken.None));

    public void Schedule(IReadOnlyCollection<long> donationIds)
    {
        if (donationIds.Count == 1)
        {
            Schedule(donationIds.First());
            return;
        }
        foreach (var chunk in donationIds.Chunk(ReconcileBatchSize))
            jobs.Enqueue<ReconcileReceipts>(JobQueues.Email, job => job.RunManyAsync(chunk, CancellationToken.None));
    }

    /// <summary>Gifts per batch job: enough to spread the job's bookkeeping thin, few enough to retry cheaply.</summary>
    public const int ReconcileBatchSize = 100;

    /// <summary>Asks for pending receipts to be sent, unless a job that will see them is already on its way.</summary>
    public void SendPending()
    {
        string? queued;
        lock (_lock)
        {
            if (_outageSince != 0 && clock.GetElapsedTime(_outageSince) < OutageWindow) return;
            queued = _queuedJobId;
        }
        // Queued here but maybe started on another node: only a job still waiting is sure to claim later.
        if (queued is not null && IsStillQueued(queued)) return;
        var id = jobs.Enqueue<SendPendingReceipts>(JobQueues.Email, job => job.RunAsync(null, CancellationToken.None));
        lock (_lock) _queuedJobId = id;
    }

    /// <summary>
    /// A sender is about to claim; false if this node already runs its share of them.
    /// <paramref name="first"/> tells the sender that it starts a drain, no other running here.
    /// </summary>
    public bool TryEnterSender(out bool first)
    {
        lock (_lock)
        {
            // Whatever was committed before now, this sender or a running one will claim.
            _queuedJobId = null;
            first = _running == 0;
            if (_running >= email.Value.Smtp.Connections)
            {
                _wakeMissed = true;
                return false;
            }
            _running++;
            return true;
        }
    }

    /// <summary>A sender that starts a drain and found a full batch brings in the rest of the node's senders at once.</summary>
    public void AddHelpers()
    {
        for (var i = 1; i < email.Value.Smtp.Connections; i++)
            jobs.Enqueue<SendPendingReceipts>(JobQueues.Email, job => job.RunAsync(null, CancellationToken.None));
    }

    /// <summary>A sender stopped; true if a request was turned away meanwhile and should be asked again.</summary>
    public bool ExitSender()
    {
        lock (_lock)
        {
            _running--;
            var missed = _wakeMissed;
            _wakeMissed = false;
            return missed;
        }
    }

    /// <summary>
    /// The mail server could not be reached by job <paramref name="jobId"/>. True if this job is to
    /// fail and retry for everyone (it is the first to find the server down, or that job's retry);
    /// false if another job's retry already covers the pending receipts.
    /// </summary>
    public bool ReportOutage(string? jobId)
    {
        lock (_lock)
        {
            var covered = _outageSince != 0 && clock.GetElapsedTime(_outageSince) < OutageWindow;
            if (covered && (jobId is null || jobId != _outageCarrier)) return false;
            _outageSince = clock.GetTimestamp();
            _outageCarrier = jobId;
            return true;
        }
    }

    public void MailServerReached()
    {
        lock (_lock)
        {
            _outageSince = 0;
            _outageCarrier = null;
        }
    }

    private bool IsStillQueued(string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetStateData(jobId)?.Name == EnqueuedState.StateName;
    }
}
