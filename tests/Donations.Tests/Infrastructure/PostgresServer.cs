using System.Diagnostics;
using Npgsql;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free loopback port, deleted when the
/// test process exits. Tests share one cluster and each takes a fresh database from it;
/// fault tests that stop the server start a dedicated one. The test host is often killed before
/// its exit handler has deleted the files (a benchmark's cluster holds gigabytes), so each new
/// cluster first removes those whose process is gone.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(() => StartNewAsync());
    private readonly string _bin;
    private readonly string _dir;
    private bool _running;

    private PostgresServer(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    public static async Task<PostgresServer> StartNewAsync()
    {
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. " +
            "Install Debian's 'postgresql' package: sudo apt-get install -y postgresql");
        await RemoveAbandonedAsync();
        var dir = Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        if (IsRoot) await RunAsync("chown", $"postgres {dir}"); // initdb refuses to run as root
        await RunPgAsync(bin, "initdb", $"-D {dir}/data -U postgres -A trust -E UTF8 --no-locale");
        var server = new PostgresServer(bin, dir, FreePort.Next());
        await server.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    public async Task StartAsync()
    {
        // Durability is not what tests measure; fsync off makes the cluster several times faster.
        await RunPgAsync(_bin, "pg_ctl",
            $"-D {_dir}/data -l {_dir}/log -w -t 60 start -o \"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 " +
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500\"");
        _running = true;
    }

    public async Task StopAsync()
    {
        if (!_running) return;
        _running = false;
        NpgsqlConnection.ClearAllPools();
        await RunPgAsync(_bin, "pg_ctl", $"-D {_dir}/data -w -t 60 -m fast stop");
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Maximum Pool Size=40;Timeout=10;Command Timeout=60";

    /// <summary>A new, empty database; its name is unique to the caller.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
        await cmd.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Runs a SQL file with psql as an operator would, stopping at the first error.</summary>
    public Task RunScriptAsync(string connectionString, string path) =>
        RunAsync($"{_bin}/psql", $"-h 127.0.0.1 -p {Port} -U postgres -d {new NpgsqlConnectionStringBuilder(connectionString).Database} " +
                                 $"-v ON_ERROR_STOP=1 -q -f {path}");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private const string Prefix = "donations-pg-";

    /// <summary>
    /// Deletes the clusters of processes that no longer run (the process id is in the folder's
    /// name), stopping a server still running from one first. A live process's clusters, and
    /// anything that is not one of ours, are left alone. Process ids are this machine's: a temp
    /// folder shared with another PID namespace (a container) would need a folder of its own.
    /// </summary>
    internal static async Task<int> RemoveAbandonedAsync()
    {
        var bin = FindBinaries();
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var owner = Path.GetFileName(dir)[Prefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, out var pid) || IsRunning(pid)) continue;
            try
            {
                if (bin is not null && File.Exists(Path.Combine(dir, "data", "postmaster.pid")))
                    await RunPgAsync(bin, "pg_ctl", $"-D {dir}/data -w -t 30 -m immediate stop");
            }
            catch (InvalidOperationException)
            {
                // Not running after all (a stale pid file): nothing to stop.
            }
            try
            {
                Directory.Delete(dir, recursive: true);
                removed++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false; // no such process, or it ended while being looked at
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static Task RunPgAsync(string bin, string tool, string args) =>
        IsRoot ? RunAsync("runuser", $"-u postgres -- {bin}/{tool} {args}") : RunAsync($"{bin}/{tool}", args);

    private static async Task RunAsync(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}");
        // pg_ctl leaves the postmaster holding our pipes: read only what the tool itself writes.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {args} failed ({process.ExitCode}): {await stderr} {await stdout}");
    }
}
