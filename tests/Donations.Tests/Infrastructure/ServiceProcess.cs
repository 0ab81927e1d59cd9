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

    public Uri BaseAddress { get; }
    public string Output => string.Join('\n', _output);
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The directory that holds the built service and its appsettings files.</summary>
    public static string ServiceDirectory => AppContext.BaseDirectory;

    /// <summary>Runs the service with these settings (":" keys become environment variables).</summary>
    public static async Task<ServiceProcess> StartAsync(IDictionary<string, string?> settings, string workingDirectory,
        string environment = "Production", string[]? args = null, bool waitUntilLive = true)
    {
        var port = FreePort.Next();
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(ServiceDirectory, "Donations.Api.dll"));
        foreach (var a in args ?? []) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--contentRoot");
        psi.ArgumentList.Add(ServiceDirectory);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        psi.Environment["DOTNET_ENVIRONMENT"] = environment;
        foreach (var (k, v) in settings) psi.Environment[k.Replace(":", "__")] = v ?? "";

        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the service process.");
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        if (waitUntilLive) await service.WaitUntilLiveAsync();
        return service;
    }

    public async Task WaitUntilLiveAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        await Wait.UntilAsync(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"The service exited ({_process.ExitCode}):\n{Output}");
            try { return (await http.GetAsync("/health/live")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, timeout ?? TimeSpan.FromSeconds(60), "the service process to answer /health/live");
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cts.Token);
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

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
