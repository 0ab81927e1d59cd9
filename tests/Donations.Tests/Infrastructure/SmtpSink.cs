using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on loopback that keeps every message it accepts. It can be stopped and
/// started again on the same port (an outage), told to refuse recipients for good (5xx), and told
/// to put messages off for now (4xx), as a greylisting or overloaded server does. It speaks plain
/// text, or offers STARTTLS, or TLS from the first byte (<see cref="SmtpSinkTls"/>) with a
/// self-signed certificate of its own (<see cref="Certificate"/>), which no client trusts. It can
/// refuse a recipient at <c>RCPT TO</c> rather than after the data (<see cref="RejectAtRecipient"/>),
/// and require a user name and password (<c>AUTH</c>, answering 535 to any other).
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly ConcurrentDictionary<string, bool> _rejected = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _deferrals = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _rejectedAtRecipient = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Task> _held = new(StringComparer.OrdinalIgnoreCase);
    private readonly (string User, string Password)? _credentials;
    private int _authenticated;
    private int _deferred;
    private int _holding;
    private SmtpServer.SmtpServer? _server;
    private Task? _running;
    private int _sessions;
    private int _open;
    private int _mostOpen;
    private int _overTls;
    private int _declaringSize;
    private readonly SmtpSinkTls _tls;

    private static readonly Lazy<X509Certificate2> SelfSigned = new(() =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
    });

    private readonly int _sizeLimit;
    private readonly MaxMessageSizeHandling _sizeHandling;

    private SmtpSink(int port, SmtpSinkTls tls, (string User, string Password)? credentials, int sizeLimit, MaxMessageSizeHandling sizeHandling)
    {
        Port = port;
        _tls = tls;
        _credentials = credentials;
        _sizeLimit = sizeLimit;
        _sizeHandling = sizeHandling;
    }

    /// <summary>How many accepted messages came in a session that had signed in with the required credentials.</summary>
    public int AuthenticatedMessages => Volatile.Read(ref _authenticated);

    /// <summary>The certificate the sink shows when it speaks TLS.</summary>
    public static X509Certificate2 Certificate => SelfSigned.Value;
    /// <summary>How many of the accepted messages came over a TLS connection.</summary>
    public int MessagesOverTls => Volatile.Read(ref _overTls);
    /// <summary>How many of the accepted messages were announced with their size (<c>MAIL FROM:&lt;…&gt; SIZE=n</c>); the sink offers SIZE.</summary>
    public int MessagesDeclaringSize => Volatile.Read(ref _declaringSize);

    public int Port { get; }
    public IReadOnlyList<MimeMessage> Messages => _messages.ToArray();
    /// <summary>How many SMTP connections were opened (to check batching).</summary>
    public int Sessions => _sessions;
    /// <summary>How many SMTP connections are open now.</summary>
    public int OpenSessions => Volatile.Read(ref _open);
    /// <summary>The most SMTP connections that were open at the same time.</summary>
    public int MostOpenSessions => Volatile.Read(ref _mostOpen);
    public bool IsRunning => _server is not null;
    /// <summary>How many messages were answered 451 (see <see cref="Defer"/>).</summary>
    public int Deferred => Volatile.Read(ref _deferred);

    /// <param name="credentials">When given, every session must sign in with them (over plain text too, as a relay on loopback may allow).</param>
    /// <param name="sizeLimit">The SIZE offered: by default Postfix's, advertised and not enforced.</param>
    /// <param name="sizeHandling"><see cref="MaxMessageSizeHandling.Strict"/> enforces it: a message declared larger is refused at MAIL FROM.</param>
    public static async Task<SmtpSink> StartAsync(SmtpSinkTls tls = SmtpSinkTls.None, (string User, string Password)? credentials = null,
        int sizeLimit = 10_240_000, MaxMessageSizeHandling sizeHandling = MaxMessageSizeHandling.Ignore)
    {
        var sink = new SmtpSink(FreePort.Next(), tls, credentials, sizeLimit, sizeHandling);
        await sink.ResumeAsync();
        return sink;
    }

    /// <summary>Answer 550 for this recipient from now on.</summary>
    public void Reject(string recipient) => _rejected[recipient] = true;

    /// <summary>Answer 550 at <c>RCPT TO</c> for this recipient from now on, before any data is sent.</summary>
    public void RejectAtRecipient(string recipient) => _rejectedAtRecipient[recipient] = true;

    /// <summary>Answer 451 ("try again later") to the next <paramref name="times"/> messages for this recipient.</summary>
    public void Defer(string recipient, int times = 1) => _deferrals[recipient] = times;

    /// <summary>Keep a message for this recipient unanswered (a slow server) until <paramref name="release"/> completes.</summary>
    public void Hold(string recipient, Task release) => _held[recipient] = release;

    /// <summary>Messages held unanswered right now (<see cref="Hold"/>).</summary>
    public int Holding => Volatile.Read(ref _holding);

    public Task ResumeAsync()
    {
        if (_server is not null) return Task.CompletedTask;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("sink.test")
            // Offers SIZE, as real servers do (Postfix's default limit unless told otherwise).
            .MaxMessageSize(_sizeLimit, _sizeHandling)
            .Endpoint(e =>
            {
                e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port));
                // A certificate makes the server offer STARTTLS; IsSecure makes it start with TLS.
                if (_tls != SmtpSinkTls.None) e.Certificate(Certificate);
                if (_tls == SmtpSinkTls.OnConnect) e.IsSecure(true);
                if (_credentials is not null) e.AuthenticationRequired(true).AllowUnsecureAuthentication(true);
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new SmtpServer.Storage.DelegatingMailboxFilter((_, to, _) => !_rejectedAtRecipient.ContainsKey($"{to.User}@{to.Host}")));
        if (_credentials is { } required)
            services.Add(new SmtpServer.Authentication.DelegatingUserAuthenticator((user, password) => user == required.User && password == required.Password));
        var server = new SmtpServer.SmtpServer(options, services);
        server.SessionCreated += (_, _) =>
        {
            Interlocked.Increment(ref _sessions);
            var open = Interlocked.Increment(ref _open);
            int most;
            while (open > (most = Volatile.Read(ref _mostOpen)) && Interlocked.CompareExchange(ref _mostOpen, open, most) != most) { }
        };
        server.SessionCompleted += (_, _) => Interlocked.Decrement(ref _open);
        server.SessionFaulted += (_, _) => Interlocked.Decrement(ref _open);
        server.SessionCancelled += (_, _) => Interlocked.Decrement(ref _open);
        _server = server;
        _running = server.StartAsync(CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stop listening: new connections are refused until <see cref="ResumeAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_server is null) return;
        _server.Shutdown();
        await _server.ShutdownTask;
        if (_running is not null) await _running;
        _server = null;
    }

    public async Task<MimeMessage> WaitForMessageAsync(Func<MimeMessage, bool> match, TimeSpan? timeout = null)
    {
        MimeMessage? found = null;
        await Wait.UntilAsync(() => Task.FromResult((found = Messages.FirstOrDefault(match)) is not null),
            timeout, "an email matching the condition to reach the SMTP sink");
        return found!;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private bool TakeDeferral(string recipient)
    {
        while (_deferrals.TryGetValue(recipient, out var left) && left > 0)
            if (_deferrals.TryUpdate(recipient, left - 1, left)) return true;
        return false;
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken ct)
        {
            var recipients = transaction.To.Select(to => $"{to.User}@{to.Host}").ToList();
            // Real servers quote the address in their answer; so does this one, so that tests see
            // where that text goes.
            if (recipients.Select(r => sink._held.GetValueOrDefault(r)).FirstOrDefault(t => t is not null) is { } release)
            {
                Interlocked.Increment(ref sink._holding);
                try { await release.WaitAsync(ct); }
                finally { Interlocked.Decrement(ref sink._holding); }
            }
            if (recipients.FirstOrDefault(sink._rejected.ContainsKey) is { } rejected)
                return new SmtpResponse(SmtpReplyCode.MailboxUnavailable, $"5.1.1 <{rejected}>: mailbox unavailable");
            if (recipients.FirstOrDefault(sink.TakeDeferral) is { } deferred)
            {
                Interlocked.Increment(ref sink._deferred);
                return new SmtpResponse((SmtpReplyCode)451, $"4.2.2 <{deferred}>: mailbox full, try again later");
            }
            using var stream = new MemoryStream(buffer.ToArray());
            if (context.Pipe.IsSecure) Interlocked.Increment(ref sink._overTls);
            if (context.Authentication.IsAuthenticated) Interlocked.Increment(ref sink._authenticated);
            if (transaction.Parameters?.Keys.Any(k => k.Equals("SIZE", StringComparison.OrdinalIgnoreCase)) == true)
                Interlocked.Increment(ref sink._declaringSize);
            sink._messages.Enqueue(await MimeMessage.LoadAsync(stream, ct));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>How an <see cref="SmtpSink"/> treats TLS.</summary>
public enum SmtpSinkTls
{
    /// <summary>Plain text only; STARTTLS is not offered.</summary>
    None,
    /// <summary>Plain text first, STARTTLS offered.</summary>
    StartTls,
    /// <summary>TLS from the first byte (the port 465 way).</summary>
    OnConnect,
}
