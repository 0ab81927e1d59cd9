using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Infrastructure;

public static class JobsWait
{
    /// <summary>
    /// Waits until Hangfire has nothing enqueued, processing or scheduled (retries included), so
    /// a test can assert that something did NOT happen once the jobs had their chance.
    /// </summary>
    public static Task WaitForIdleJobsAsync(this DonationsApp app, TimeSpan? timeout = null)
    {
        var monitor = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        return Wait.UntilAsync(() => Task.FromResult(
                monitor.Queues().All(q => q.Length == 0) && monitor.ProcessingCount() == 0 && monitor.ScheduledCount() == 0),
            timeout, "Hangfire to finish every enqueued job");
    }
}
