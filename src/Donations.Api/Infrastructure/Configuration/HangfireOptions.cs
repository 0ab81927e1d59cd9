using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Infrastructure.Configuration;

public sealed class HangfireOptions
{
    public const string Section = "Hangfire";
    public bool ServerEnabled { get; set; } = true;
    [Range(1, 200, ErrorMessage = "Hangfire:WorkerCount must be between 1 and 200.")]
    public int WorkerCount { get; set; } = Math.Min(Environment.ProcessorCount * 5, 20);
    [Required(ErrorMessage = "Hangfire:DashboardPath is required (e.g. /hangfire).")]
    [RegularExpression("^/.*", ErrorMessage = "Hangfire:DashboardPath must start with '/'.")]
    public string DashboardPath { get; set; } = "/hangfire";
    /// <summary>How often queues and schedules are polled; tests use about a second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00", ErrorMessage = "Hangfire:PollingInterval must be between 50 ms and 5 minutes.")]
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How long a job fetched by a node that then died stays hidden before another node takes it
    /// (PostgreSQL and SQL Server storage). Live nodes keep extending it, so long jobs are safe.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Hangfire:InvisibilityTimeout must be between 5 seconds and 1 hour.")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
