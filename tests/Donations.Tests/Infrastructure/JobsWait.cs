using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Infrastructure;

public static class JobsWait
{
    /// <summary>
    /// Waits until Hangfire has nothing enqueued or processing, so a test can assert what the jobs
    /// did, or that something did NOT happen once they had their chance. Fails, naming the job and
    /// its error, when a job ended <c>Failed</c> or is waiting for a retry: a job that throws every
    /// time must not pass for one that did its work.
    /// </summary>
    /// <param name="retriesExpected">
    /// The test arranged for jobs to wait for a retry (an outage it caused, events delivered in an
    /// order where some wait for others): scheduled retries do not fail the wait. Failed jobs still do.
    /// </param>
    public static Task WaitForIdleJobsAsync(this DonationsApp app, bool retriesExpected = false, TimeSpan? timeout = null) =>
        WaitForIdleJobsAsync(app.Services.GetRequiredService<JobStorage>(), retriesExpected, timeout);

    /// <summary>The same for nodes running in other processes, read from their PostgreSQL storage.</summary>
    public static Task WaitForIdleJobsAsync(string postgresConnectionString, bool retriesExpected = false, TimeSpan? timeout = null) =>
        WaitForIdleJobsAsync(new PostgreSqlStorage(new NpgsqlConnectionFactory(postgresConnectionString, new PostgreSqlStorageOptions()),
            new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = false }), retriesExpected, timeout);

    public static async Task WaitForIdleJobsAsync(JobStorage storage, bool retriesExpected = false, TimeSpan? timeout = null)
    {
        var monitor = storage.GetMonitoringApi();
        // Counted by job state, not queue length: a job a worker has just fetched has left its
        // queue but is still "Enqueued" until it starts. Half a second of idle readings in a row,
        // so that work a finishing job hands on is seen.
        var idleReadings = 0;
        await Wait.UntilAsync(() =>
        {
            var stats = monitor.GetStatistics();
            idleReadings = stats.Enqueued == 0 && stats.Processing == 0 ? idleReadings + 1 : 0;
            return Task.FromResult(idleReadings >= 10);
        }, timeout ?? TimeSpan.FromSeconds(60), "Hangfire to finish every enqueued job");

        var failed = monitor.FailedJobs(0, 20)
            .Select(j => $"{Describe(j.Value.Job)} failed: {j.Value.ExceptionMessage}").ToList();
        using var connection = storage.GetConnection();
        List<string> retrying = retriesExpected ? [] : monitor.ScheduledJobs(0, 200)
            .Where(j => int.TryParse(connection.GetJobParameter(j.Key, "RetryCount"), out var n) && n > 0)
            .Select(j => $"{Describe(j.Value.Job)} waits for a retry: {LastError(monitor, j.Key)}").ToList();
        if (failed.Count + retrying.Count > 0)
            throw new InvalidOperationException("Hangfire is idle, but not every job succeeded:\n" + string.Join("\n", failed.Concat(retrying)));
    }

    /// <summary>
    /// Every reason and value Hangfire keeps in the state history of every job it still holds
    /// (the dashboard shows all of it, and no erasure reaches it).
    /// </summary>
    public static List<string> JobStateTexts(this DonationsApp app)
    {
        var monitor = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var ids = monitor.SucceededJobs(0, 1000).Select(j => j.Key)
            .Concat(monitor.ScheduledJobs(0, 1000).Select(j => j.Key))
            .Concat(monitor.FailedJobs(0, 1000).Select(j => j.Key))
            .Concat(monitor.DeletedJobs(0, 1000).Select(j => j.Key))
            .Concat(monitor.ProcessingJobs(0, 1000).Select(j => j.Key))
            .Distinct();
        return ids.SelectMany(id => monitor.JobDetails(id)?.History ?? [])
            .SelectMany(h => new[] { h.Reason ?? "" }.Concat(h.Data?.Values ?? []))
            .Where(t => t.Length > 0).ToList();
    }

    private static string Describe(Hangfire.Common.Job? job) => job is null ? "a job" : $"{job.Type.Name}.{job.Method.Name}";

    // A retry's Scheduled state says why: "Retry attempt 1 of 12: <the exception's message>".
    private static string LastError(IMonitoringApi monitor, string jobId) =>
        monitor.JobDetails(jobId)?.History.OrderByDescending(h => h.CreatedAt).FirstOrDefault()?.Reason ?? "";
}
