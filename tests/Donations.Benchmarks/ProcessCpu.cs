namespace Donations.Benchmarks;

/// <summary>
/// CPU time used by a process, and by a PostgreSQL cluster (its postmaster and every backend,
/// living or reaped), read from /proc (Linux). CPU time per gift is the figure that compares across
/// runs on a loaded machine, where rates and latencies do not.
/// </summary>
public static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux architecture .NET runs on

    /// <summary>User + system seconds of <paramref name="pid"/>, with <paramref name="children"/> those of its reaped children too.</summary>
    public static double Seconds(int pid, bool children = false)
    {
        // Fields after the command (which may hold spaces) start after its closing parenthesis:
        // state is field 3, utime 14, stime 15, cutime 16, cstime 17.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double Field(int n) => long.Parse(fields[n - 3]);
        return (Field(14) + Field(15) + (children ? Field(16) + Field(17) : 0)) / TicksPerSecond;
    }

    /// <summary>
    /// The whole machine's busy and total CPU time so far (every core, in USER_HZ ticks), from the
    /// first line of /proc/stat; idle and I/O wait count as not busy.
    /// </summary>
    public static (long Busy, long Total) Machine()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var total = ticks.Sum();
        return (total - ticks[3] - ticks[4], total);
    }

    /// <summary>How many cores were busy on average between two <see cref="Machine"/> readings.</summary>
    public static double BusyCores((long Busy, long Total) from, (long Busy, long Total) to) =>
        to.Total == from.Total ? 0 : (double)(to.Busy - from.Busy) / (to.Total - from.Total) * Environment.ProcessorCount;

    /// <summary>Seconds used so far by the cluster listening on <paramref name="port"/>: its postmaster, reaped backends and live ones.</summary>
    public static double PostgresClusterSeconds(int port)
    {
        var postmaster = Processes().FirstOrDefault(p => p.Command.Contains("postgres") && p.Args.Contains("-p") && p.Args.Contains(port.ToString()));
        if (postmaster.Pid == 0) return double.NaN;
        return Seconds(postmaster.Pid, children: true)
               + Processes().Where(p => ParentOf(p.Pid) == postmaster.Pid).Sum(p => SafeSeconds(p.Pid));
    }

    private static double SafeSeconds(int pid)
    {
        try { return Seconds(pid); }
        catch (IOException) { return 0; } // ended meanwhile: counted in the postmaster's reaped children
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException) { return 0; }
    }

    private static IEnumerable<(int Pid, string Command, string[] Args)> Processes()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string[] args;
            try { args = File.ReadAllText($"{dir}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (args.Length > 0) yield return (pid, args[0], args);
        }
    }
}

/// <summary>CPU seconds spent by the service and its database between two readings.</summary>
public sealed record CpuSpent(double Service, double Database)
{
    public static CpuSpent Read(int servicePid, int databasePort) =>
        new(ProcessCpu.Seconds(servicePid), ProcessCpu.PostgresClusterSeconds(databasePort));

    public CpuSpent Since(CpuSpent start) => new(Service - start.Service, Database - start.Database);

    public string PerGift(int gifts) =>
        $"CPU per gift: service {1000 * Service / gifts:F2} ms, PostgreSQL {1000 * Database / gifts:F2} ms " +
        $"({Service:F1} s and {Database:F1} s for {gifts} gifts; compares across runs where rates do not)";

    /// <summary>Messages sent between the two readings, for <see cref="PerMessage"/>.</summary>
    public int Messages { get; init; } = 1;

    public string PerMessage() =>
        $"CPU per message: service {1000 * Service / Messages:F3} ms, PostgreSQL {1000 * Database / Messages:F3} ms ({Messages} messages)";
}
