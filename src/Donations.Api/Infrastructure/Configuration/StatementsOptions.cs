using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Infrastructure.Configuration;

public sealed class StatementsOptions
{
    public const string Section = "Statements";
    [Required(ErrorMessage = "Statements:Cron is required (default \"0 9 10 1 *\": 10 January 09:00).")]
    public string Cron { get; set; } = "0 9 10 1 *";
    /// <summary>IANA id; empty means Organization:TimeZone.</summary>
    public string? TimeZone { get; set; }
    [Range(1, 10000, ErrorMessage = "Statements:BatchSize must be between 1 and 10000.")]
    public int BatchSize { get; set; } = 250;
    /// <summary>
    /// Statement batches one node works on at once, on workers of their own (not taken from
    /// <c>Hangfire:WorkerCount</c>): each holds its batch's documents, so this bounds the run's memory.
    /// One: a run of 100,000 donors peaks at ~260 MiB on two cores and takes ~95 s (a batch sends
    /// one chunk while it prepares the next, so one worker keeps both cores busy). Two took 87 s
    /// at a 271 MiB peak there, and took a run over 300 MB on a busy machine before
    /// (tests/Donations.Benchmarks/README.md).
    /// </summary>
    [Range(1, 64, ErrorMessage = "Statements:Workers must be between 1 and 64.")]
    public int Workers { get; set; } = 1;
}
