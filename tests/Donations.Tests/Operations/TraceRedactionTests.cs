using System.Net;
using System.Net.Sockets;
using System.Text;
using Donations.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Donations.Tests.Operations;

/// <summary>
/// Traces leave the service only by OTLP, and only when an endpoint is set: a donor's sign-in
/// link (<c>/manage/{token}</c>) must not reach the collector, and without an endpoint no span is
/// built at all (every request, query and Stripe call would pay for spans nobody reads).
/// </summary>
public sealed class TraceRedactionTests
{
    [Fact]
    public async Task A_donors_sign_in_token_in_a_path_never_reaches_the_trace_collector()
    {
        using var collector = new OtlpCollector();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address;
            o.Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        });
        var token = Convert.ToBase64String(Encoding.ASCII.GetBytes("a-sign-in-token-of-43-characters!")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        await app.Client.GetAsync($"/manage/{token}");
        await app.Client.GetAsync("/donate");
        Assert.True(app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000), "the spans were not exported");

        var exported = "";
        await Wait.UntilAsync(() => Task.FromResult((exported = collector.Received()).Contains("/donate")), what: "the spans to reach the collector");
        Assert.Contains("/donate", exported); // spans did arrive: the search below has something to search
        Assert.Contains("/manage/", exported);
        Assert.DoesNotContain(token, exported);
    }

    [Fact]
    public async Task Without_a_collector_no_tracing_runs()
    {
        await using var app = await DonationsApp.StartAsync();
        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    /// <summary>Accepts OTLP over HTTP on loopback and keeps what it was sent (protobuf keeps strings as UTF-8).</summary>
    private sealed class OtlpCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly List<byte[]> _bodies = [];

        public OtlpCollector()
        {
            var port = FreePort();
            Address = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Address + "/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Address { get; }

        public string Received()
        {
            lock (_bodies) return string.Join("\n", _bodies.Select(b => Encoding.UTF8.GetString(b)));
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                lock (_bodies) _bodies.Add([.. Encoding.UTF8.GetBytes(context.Request.RawUrl + " "), .. body.ToArray()]);
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose() => _listener.Close();
    }
}
