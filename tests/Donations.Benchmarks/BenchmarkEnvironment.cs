using Donations.Tests.Infrastructure;

namespace Donations.Benchmarks;

/// <summary>What every benchmark needs: a PostgreSQL cluster of its own and the service's settings.</summary>
public static class BenchmarkEnvironment
{
    /// <summary>
    /// Settings given on the command line (<c>--set Key=Value</c>, repeatable) over every service
    /// the benchmarks start, to compare a setting back to back, e.g. <c>--set Hangfire:WorkerCount=4</c>
    /// or <c>--set DOTNET_gcServer=0</c> (names without ':' are passed as environment variables as they are).
    /// </summary>
    public static Dictionary<string, string?> Overrides { get; } = [];

    public static Dictionary<string, string?> ServiceSettings(string connectionString, string dataDirectory, int? smtpPort = null)
    {
        var settings = Defaults(connectionString, dataDirectory, smtpPort);
        foreach (var (k, v) in Overrides) settings[k] = v;
        return settings;
    }

    private static Dictionary<string, string?> Defaults(string connectionString, string dataDirectory, int? smtpPort) => new()
    {
        // The setting deploy/donations.service makes for speed (see its comment).
        ["DOTNET_ReadyToRun"] = "0",
        ["Database:Provider"] = "Postgres",
        ["Database:MigrateOnStart"] = "true",
        ["ConnectionStrings:Donations"] = connectionString,
        ["Hangfire:WorkerCount"] = "10",
        ["Hangfire:PollingInterval"] = "00:00:00.500",
        ["DataProtection:CertificatePath"] = TestKeyRing.CertificatePath,
        ["Stripe:SecretKey"] = "sk_test_benchmark",
        ["Stripe:WebhookSecrets:0"] = StripeSignature.Secret,
        ["Stripe:ApiBase"] = "http://127.0.0.1:9",
        ["Email:Delivery"] = smtpPort is null ? "Pickup" : "Smtp",
        ["Email:PickupDirectory"] = Path.Combine(dataDirectory, "outbox"),
        ["Email:From"] = "Example Journal <donations@example.org>",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = (smtpPort ?? 25).ToString(),
        ["Email:Smtp:Security"] = "None",
        ["Organization:Name"] = "Example Journal",
        ["Organization:LegalName"] = "Example Journal Foundation, Inc.",
        ["Organization:TaxId"] = "12-3456789",
        ["Organization:Address"] = "100 Main Street, Springfield, MA 01101",
        ["Organization:Website"] = "https://example.org",
        ["Organization:TimeZone"] = "America/New_York",
        ["Organization:ReceiptSignatory"] = "Jane Doe, Executive Director",
        ["Donations:PublicBaseUrl"] = "https://donate.example.org",
        ["Logging:LogLevel:Default"] = "Warning",
        // No Stripe API answers here: the settlement reads (finance work on the default queue) would
        // only fail and retry beside the measured work, so the minute sweep is pushed out of the run.
        ["Finance:SettlementCron"] = "0 0 1 1 *",
        ["Finance:DriftCron"] = "0 0 1 1 *",
    };

    /// <summary>
    /// ANALYZE, after a warm-up: a database in service has statistics of its tables, while one made
    /// a minute ago has none until autovacuum's first pass, and the planner guesses in the meantime
    /// (a seq scan of a table it believes empty). The peak meets the former.
    /// </summary>
    public static async Task AnalyzeAsync(string connectionString)
    {
        await using var conn = new Npgsql.NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("ANALYZE", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>1, 5 and 15 minute load averages (other work on the machine skews every figure).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1 << 30)} GiB, " +
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}

/// <summary>
/// The service's own folder for one benchmark (content root, outbox, logs), deleted when disposed:
/// a run's outbox holds thousands of messages, and every run's stayed behind in the temp folder.
/// </summary>
public sealed class ScratchDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("donations-bench-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
