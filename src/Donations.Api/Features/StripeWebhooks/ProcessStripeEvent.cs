using Hangfire;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Hangfire job for one inbox row (see <see cref="StripeEventProcessor"/>). A redelivered job
/// finds the row marked and stops; a failed one is retried by Hangfire.
/// </summary>
public sealed class ProcessStripeEvent(StripeEventProcessor processor)
{
    // A database restart heals in seconds; Hangfire's default first delay (16–75 s) would hold
    // the work back for a minute after it, so the first retries come sooner, and a restart of up to
    // ~40 s is still followed within seconds.
    [AutomaticRetry(Attempts = 12, DelaysInSeconds = [2, 5, 10, 20, 30, 60, 300, 900, 1800, 3600, 7200, 14400])]
    public Task RunAsync(string eventId) => processor.ApplyAsync(eventId, CancellationToken.None);
}
