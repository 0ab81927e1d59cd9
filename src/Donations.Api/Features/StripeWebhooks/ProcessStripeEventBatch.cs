using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Hangfire job for a batch of inbox rows, in the order they arrived: one job's bookkeeping for
/// many events. Each event is applied in its own transaction (<see cref="StripeEventProcessor"/>),
/// so an event that fails or must wait holds back none after it: it is handed to its own
/// <see cref="ProcessStripeEvent"/> job, which keeps the per-event retries and wake-ups. A re-run
/// (Hangfire's retry after a crash) skips the rows already marked. Follow-up work that can
/// coalesce (receipts) is released once, when the batch ends.
/// </summary>
public sealed class ProcessStripeEventBatch(
    StripeEventProcessor processor, AfterCommitBatch batch, IBackgroundJobClient jobs, ILogger<ProcessStripeEventBatch> log)
{
    public const int Size = 100;

    [AutomaticRetry(Attempts = 12, DelaysInSeconds = [2, 5, 10, 20, 30, 60, 300, 900, 1800, 3600, 7200, 14400])]
    public async Task RunAsync(string[] eventIds)
    {
        batch.Open();
        try
        {
            foreach (var id in eventIds)
            {
                try
                {
                    await processor.ApplyAsync(id, CancellationToken.None);
                }
                catch (Exception e)
                {
                    // Recorded on the row by the processor; from here on it is a single event's business.
                    var jobId = jobs.Enqueue<ProcessStripeEvent>(JobQueues.Webhooks, j => j.RunAsync(id));
                    log.LogInformation("Stripe event {EventId} left its batch for job {JobId}: {Reason}", id, jobId, e.Message);
                }
            }
        }
        finally
        {
            await batch.CloseAsync(CancellationToken.None);
        }
    }
}
