namespace Donations.Benchmarks;

/// <summary>Resident memory of a process, read from /proc (Linux).</summary>
public static class ProcessMemory
{
    public static long RssMiB(int pid) => StatusKiB(pid, "VmRSS:") / 1024;

    /// <summary>The high-water mark of resident memory since the process started.</summary>
    public static long PeakRssMiB(int pid) => StatusKiB(pid, "VmHWM:") / 1024;

    private static long StatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0]);
    }
}
