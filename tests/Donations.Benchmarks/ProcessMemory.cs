using Donations.Tests.Infrastructure;

namespace Donations.Benchmarks;

/// <summary>Resident memory of a service process, read from /proc (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>The process serving <paramref name="service"/>'s address (found by its --urls argument).</summary>
    public static int PidOf(ServiceProcess service)
    {
        var url = service.BaseAddress.ToString().TrimEnd('/');
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Contains(url) && args.Any(a => a.EndsWith("Donations.Api.dll"))) return pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        throw new InvalidOperationException($"No process serves {url}.");
    }

    public static long RssMiB(int pid) => StatusKiB(pid, "VmRSS:") / 1024;

    /// <summary>The high-water mark of resident memory since the process started.</summary>
    public static long PeakRssMiB(int pid) => StatusKiB(pid, "VmHWM:") / 1024;

    private static long StatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0]);
    }
}
