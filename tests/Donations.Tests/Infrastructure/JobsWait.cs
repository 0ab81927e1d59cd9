using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Infrastructure;

public static class JobsWait
{
    /// <summary>
    /// Waits until Hangfire has nothing enqueued or processing, so a test can assert that something
    /// did NOT happen once the jobs had their chance. Scheduled jobs (retries waiting for their
    /// time) are not waited for.
    /// </summary>
    public static async Task WaitForIdleJobsAsync(this DonationsApp app, TimeSpan? timeout = null)
    {
        var monitor = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        // Counted by job state, not queue length: a job a worker has just fetched has left its
        // queue but is still "Enqueued" until it starts. Two idle readings in a row, to be sure.
        var idleReadings = 0;
        await Wait.UntilAsync(() =>
        {
            var stats = monitor.GetStatistics();
            idleReadings = stats.Enqueued == 0 && stats.Processing == 0 ? idleReadings + 1 : 0;
            return Task.FromResult(idleReadings >= 2);
        }, timeout, "Hangfire to finish every enqueued job");
    }
}
