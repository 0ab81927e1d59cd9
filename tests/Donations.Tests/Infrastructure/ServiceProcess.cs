using System.Collections.Concurrent;
using System.Diagnostics;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// The service as its own operating-system process (the built Donations.Api.dll), for what an
/// in-process host cannot show: start-up as an operator runs it, two nodes on one database,
/// a process killed mid-run.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// How long a start or a command may take by default: a .NET process starting cold on two cores
    /// shared with parallel builds and test runs has been seen to need more than a minute.
    /// </summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public Uri BaseAddress { get; }
    public string Output => string.Join('\n', _output);
    public bool HasExited => _process.HasExited;
    /// <summary>The operating system's id of the service itself (the dotnet host runs it in its own process).</summary>
    public int ProcessId => _process.Id;
    public int ExitCode => _process.ExitCode;

    /// <summary>The directory that holds the built service and its appsettings files.</summary>
    public static string ServiceDirectory => AppContext.BaseDirectory;

    /// <summary>Runs the service with these settings (":" keys become environment variables).</summary>
    public static Task<ServiceProcess> StartAsync(IDictionary<string, string?> settings, string workingDirectory,
        string environment = "Production", string[]? args = null, bool waitUntilLive = true) =>
        StartAsync(new Launch(settings, workingDirectory) { Environment = environment, Args = args ?? [] }, waitUntilLive);

    /// <summary>Runs the executable as <paramref name="launch"/> says; waits until it answers when asked to.</summary>
    public static async Task<ServiceProcess> StartAsync(Launch launch, bool waitUntilLive = true)
    {
        var port = FreePort.Next();
        var directory = launch.ServiceDirectory ?? ServiceDirectory;
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = launch.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(directory, "Donations.Api.dll"));
        foreach (var a in launch.Args) psi.ArgumentList.Add(a);
        if (launch.PassContentRoot)
        {
            psi.ArgumentList.Add("--contentRoot");
            psi.ArgumentList.Add(directory);
        }
        if (launch.OnlyGivenEnvironment)
        {
            // What a systemd unit gives a service: no variables of the shell that started the tests.
            var keep = new[] { "PATH", "HOME", "TMPDIR", "LANG", "DOTNET_ROOT", "DOTNET_ROOT_X64" };
            foreach (var key in psi.Environment.Keys.Where(k => !keep.Contains(k)).ToList()) psi.Environment.Remove(key);
        }
        // Set before the settings, which may name their own address.
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        if (launch.Environment is not null)
        {
            psi.Environment["ASPNETCORE_ENVIRONMENT"] = launch.Environment;
            psi.Environment["DOTNET_ENVIRONMENT"] = launch.Environment;
        }
        foreach (var (k, v) in launch.Settings) psi.Environment[k.Replace(":", "__")] = v ?? "";
        var urls = psi.Environment["ASPNETCORE_URLS"]!;

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the service process.");
        if (launch.StandardInput is not null)
        {
            await process.StandardInput.WriteAsync(launch.StandardInput);
            process.StandardInput.Close();
        }
        var service = new ServiceProcess(process, new Uri(urls.Split(';')[0].Replace("0.0.0.0", "127.0.0.1")));
        if (!waitUntilLive) return service;
        try
        {
            await service.WaitUntilLiveAsync();
            return service;
        }
        catch
        {
            await service.DisposeAsync(); // the caller never gets it to dispose
            throw;
        }
    }

    /// <summary>Runs a command of the executable to its end: its exit code and everything it wrote.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(Launch launch, TimeSpan? timeout = null)
    {
        await using var command = await StartAsync(launch, waitUntilLive: false);
        var exit = await command.WaitForExitAsync(timeout);
        return (exit, command.Output);
    }

    /// <summary>How to start the executable.</summary>
    /// <param name="Settings">Configuration as environment variables (":" becomes "__").</param>
    public sealed record Launch(IDictionary<string, string?> Settings, string WorkingDirectory)
    {
        public string[] Args { get; init; } = [];
        /// <summary><c>ASPNETCORE_ENVIRONMENT</c>; null leaves it to <see cref="Settings"/>.</summary>
        public string? Environment { get; init; } = "Production";
        /// <summary>Where Donations.Api.dll is; the test's own build unless a published one is given.</summary>
        public string? ServiceDirectory { get; init; }
        /// <summary>Pass <c>--contentRoot</c>; false runs it as an operator types it.</summary>
        public bool PassContentRoot { get; init; } = true;
        /// <summary>Start with none of the test process's environment variables (PATH, HOME and where .NET is aside).</summary>
        public bool OnlyGivenEnvironment { get; init; }
        public string? StandardInput { get; init; }
    }

    public async Task WaitUntilLiveAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Wait.UntilAsync(async () =>
            {
                if (_process.HasExited) throw new InvalidOperationException($"The service exited ({_process.ExitCode}):\n{Output}");
                try { return (await http.GetAsync("/health/live")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
                catch (TaskCanceledException) { return false; }
            }, timeout ?? StartTimeout, "the service process to answer /health/live");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} It wrote:\n{Output}", e);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? StartTimeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // and the end of its redirected output
        return _process.ExitCode;
    }

    /// <summary>A client that keeps cookies the way a browser does on loopback (see <see cref="LoopbackCookies"/>).</summary>
    public HttpClient CreateClient() => new(new LoopbackCookies(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }))
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Ends the process at once, as a crash or an out-of-memory kill would.</summary>
    public void Kill() { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }

    /// <summary>Kills and waits for the process; a second call (a test that disposes it early and again at the end) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private int _disposed;
}
