using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Hangfire job for a batch of inbox rows, in the order they arrived: one job's bookkeeping for
/// many events. The events about different things are applied together, in one transaction
/// (<see cref="StripeEventProcessor.ApplyTogetherAsync"/>); the rest, and all of those should the
/// group fail, each in its own transaction, so an event that fails or must wait holds back none
/// after it: it is handed to its own <see cref="ProcessStripeEvent"/> job, which keeps the
/// per-event retries and wake-ups. A re-run (Hangfire's retry after a crash) skips the rows
/// already marked. Follow-up work that can coalesce (receipts) is released once, when the batch ends.
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
            IReadOnlyList<string> alone;
            try
            {
                alone = await processor.ApplyTogetherAsync(eventIds, CancellationToken.None);
            }
            catch (Exception e)
            {
                // Committed or not, each event is looked at again on its own: one already marked is skipped.
                log.LogWarning(e, "A batch of {Count} Stripe events failed after it was applied together; going through them one at a time", eventIds.Length);
                alone = eventIds;
            }
            foreach (var id in alone)
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
