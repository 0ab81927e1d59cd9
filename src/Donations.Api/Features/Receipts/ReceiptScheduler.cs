using Donations.Api.Infrastructure.Jobs;
using Hangfire;

namespace Donations.Api.Features.Receipts;

/// <summary>Queues the reconciliation; duplicates are harmless because the job is idempotent.</summary>
public sealed class ReceiptScheduler(IBackgroundJobClient jobs) : IReceiptScheduler
{
    public void Schedule(long donationId) =>
        jobs.Enqueue<ReconcileReceipts>(JobQueues.Email, job => job.RunAsync(donationId, CancellationToken.None));

    /// <summary>Asks for pending receipts to be sent; any number of these may run at once.</summary>
    public void SendPending() =>
        jobs.Enqueue<SendPendingReceipts>(JobQueues.Email, job => job.RunAsync(CancellationToken.None));
}
