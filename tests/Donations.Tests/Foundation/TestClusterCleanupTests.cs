using System.Diagnostics;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Foundation;

/// <summary>
/// The throwaway clusters tests and benchmarks start are deleted even when the process that
/// started one was killed before it could: they filled a disk at two gigabytes each.
/// </summary>
public sealed class TestClusterCleanupTests
{
    [Fact]
    public async Task A_cluster_whose_process_is_gone_is_removed_and_a_live_processes_cluster_is_kept()
    {
        var gone = await ExitedProcessIdAsync();
        var abandoned = Cluster(gone);
        // A pid file left by a server that is no longer running does not keep it either.
        Directory.CreateDirectory(Path.Combine(abandoned, "data"));
        await File.WriteAllTextAsync(Path.Combine(abandoned, "data", "postmaster.pid"), $"{gone}\n");
        var ours = Cluster(Environment.ProcessId);
        var notOurs = Path.Combine(Path.GetTempPath(), $"donations-pgx-{gone}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(notOurs);
        try
        {
            await PostgresServer.RemoveAbandonedAsync();

            Assert.False(Directory.Exists(abandoned));
            Assert.True(Directory.Exists(ours));
            Assert.True(Directory.Exists(notOurs));
        }
        finally
        {
            foreach (var dir in new[] { abandoned, ours, notOurs })
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static string Cluster(int pid)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"donations-pg-{pid}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "log"), "a cluster's log");
        return dir;
    }

    private static async Task<int> ExitedProcessIdAsync()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        return process.Id;
    }
}
