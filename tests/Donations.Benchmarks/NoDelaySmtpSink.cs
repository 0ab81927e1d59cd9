using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Donations.Benchmarks;

/// <summary>
/// An SMTP server on loopback for measuring senders: every accepted socket has Nagle's algorithm
/// off (SmtpServer's own listener leaves it on), so a reply to a ~40 KB PDF message is not
/// held back ~40 ms waiting for an ACK, and it keeps raw bytes with an arrival time instead of
/// parsing each message on the hot path. A counting sink (<see cref="StartCounting"/>) keeps only
/// how many messages and bytes it took, for runs too long to hold every message.
/// </summary>
public sealed class NoDelaySmtpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<(long At, byte[] Bytes)> _messages = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly bool _keep;
    private int _counted;
    private long _bytes;

    private NoDelaySmtpSink(int port, bool keep = true)
    {
        Port = port;
        _keep = keep;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("bench.sink")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new NoDelayListenerFactory());
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(CancellationToken.None);
    }

    public int Port { get; }
    public int Count => _keep ? _messages.Count : Volatile.Read(ref _counted);
    /// <summary>Bytes of message data taken (a counting sink).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);
    /// <summary>Arrival times (Stopwatch ticks) in arrival order.</summary>
    public long[] ArrivalTicks => _messages.Select(m => m.At).ToArray();
    public IReadOnlyList<byte[]> Messages => _messages.Select(m => m.Bytes).ToList();

    public static NoDelaySmtpSink Start() => new(Donations.Tests.Infrastructure.FreePort.Next());

    /// <summary>Counts messages and their bytes and keeps nothing else.</summary>
    public static NoDelaySmtpSink StartCounting() => new(Donations.Tests.Infrastructure.FreePort.Next(), keep: false);

    /// <summary>On a port chosen earlier (a service already configured to send there).</summary>
    public static NoDelaySmtpSink StartOn(int port) => new(port);

    public void Clear() => _messages.Clear();

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _server.ShutdownTask;
        await _running;
    }

    private sealed class Store(NoDelaySmtpSink sink) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken ct)
        {
            if (sink._keep) sink._messages.Enqueue((Stopwatch.GetTimestamp(), buffer.ToArray()));
            else
            {
                Interlocked.Increment(ref sink._counted);
                Interlocked.Add(ref sink._bytes, buffer.Length);
            }
            return Task.FromResult(SmtpResponse.Ok);
        }
    }

    private sealed class NoDelayListenerFactory : IEndpointListenerFactory
    {
        public IEndpointListener CreateListener(IEndpointDefinition endpoint) => new NoDelayListener(endpoint.Endpoint);
    }

    /// <summary>Accepts connections and turns Nagle's algorithm off on each (no TLS: loopback only).</summary>
    private sealed class NoDelayListener : IEndpointListener
    {
        private readonly TcpListener _listener;

        public NoDelayListener(IPEndPoint endpoint)
        {
            _listener = new TcpListener(endpoint);
            _listener.Start();
        }

        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken ct)
        {
            var socket = await _listener.AcceptSocketAsync(ct);
            socket.NoDelay = true;
            return new PlainPipe(new NetworkStream(socket, ownsSocket: true));
        }

        public void Dispose() => _listener.Stop();
    }

    private sealed class PlainPipe(NetworkStream stream) : ISecurableDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(stream);
        public PipeWriter Output { get; } = PipeWriter.Create(stream);
        public bool IsSecure => false;
        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken ct) =>
            throw new NotSupportedException("The benchmark sink offers no TLS.");

        public void Dispose() => stream.Dispose();
    }
}
