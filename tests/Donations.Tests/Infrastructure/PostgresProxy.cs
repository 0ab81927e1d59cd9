using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// A TCP relay between the service and a <see cref="PostgresServer"/> that can lose one answer:
/// told a piece of SQL text (<see cref="LoseAnswerTo"/>), it passes the statement on, holds back the
/// server's reply until its ReadyForQuery (the statement's implicit transaction has committed),
/// and then, if the reply says rows were changed, drops the connection instead of delivering it.
/// The server has done the work; the client only sees its connection break. Statements must reach
/// the server as text each time: give the connection string <c>Max Auto Prepare=0</c>.
/// </summary>
public sealed class PostgresProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _sockets = [];
    private byte[]? _trigger;
    private int _answersLost;

    private PostgresProxy(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    /// <summary>Answers held back and dropped so far.</summary>
    public int AnswersLost => Volatile.Read(ref _answersLost);

    public static PostgresProxy Start(int serverPort) => new(serverPort);

    /// <summary>The same database reached through this relay, statements sent as text every time.</summary>
    public string Through(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Port = Port, MaxAutoPrepare = 0 }.ConnectionString;

    /// <summary>Loses the answer to the next statement holding <paramref name="sqlText"/> that changes rows; once.</summary>
    public void LoseAnswerTo(string sqlText) => Volatile.Write(ref _trigger, Encoding.UTF8.GetBytes(sqlText));

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (SocketException) { continue; }
            var server = new TcpClient { NoDelay = true };
            client.NoDelay = true;
            lock (_sockets) _sockets.AddRange([client, server]);
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stop.Token);
            }
            catch (Exception)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }
            var link = new Link(client, server);
            _ = ClientToServerAsync(link);
            _ = ServerToClientAsync(link);
        }
    }

    private sealed class Link(TcpClient client, TcpClient server)
    {
        public TcpClient Client { get; } = client;
        public TcpClient Server { get; } = server;
        /// <summary>Set when the trigger statement went to the server: its reply is held back.</summary>
        public volatile bool Watching;

        public void Drop()
        {
            try { Client.Client.Close(0); } catch (ObjectDisposedException) { }
            try { Server.Client.Close(0); } catch (ObjectDisposedException) { }
        }
    }

    private async Task ClientToServerAsync(Link link)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var from = link.Client.GetStream();
            var to = link.Server.GetStream();
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0) break;
                // A whole statement goes out in one write from Npgsql; the reply to it follows this.
                if (Volatile.Read(ref _trigger) is { } trigger && buffer.AsSpan(0, read).IndexOf(trigger) >= 0) link.Watching = true;
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception) { }
        link.Drop();
    }

    private async Task ServerToClientAsync(Link link)
    {
        var buffer = new byte[64 * 1024];
        var held = new MemoryStream();
        try
        {
            var from = link.Server.GetStream();
            var to = link.Client.GetStream();
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0) break;
                if (!link.Watching)
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    continue;
                }
                held.Write(buffer, 0, read);
                if (ReplyOf(held.GetBuffer().AsSpan(0, (int)held.Length)) is not { } changedRows) continue;
                link.Watching = false;
                if (changedRows > 0 && Interlocked.Exchange(ref _trigger, null) is not null)
                {
                    Interlocked.Increment(ref _answersLost);
                    link.Drop();
                    return;
                }
                await to.WriteAsync(held.GetBuffer().AsMemory(0, (int)held.Length), _stop.Token);
                held.SetLength(0);
            }
        }
        catch (Exception) { }
        link.Drop();
    }

    /// <summary>
    /// Null until the reply is complete (a ReadyForQuery message); then the row count of its
    /// CommandComplete ("UPDATE 3" → 3; 0 when it has none). Messages: a type byte, then a
    /// big-endian length that counts itself and the body.
    /// </summary>
    private static int? ReplyOf(ReadOnlySpan<byte> reply)
    {
        var rows = 0;
        var at = 0;
        while (at + 5 <= reply.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(reply[(at + 1)..]);
            if (at + 1 + length > reply.Length) return null;
            var body = reply.Slice(at + 5, length - 4);
            if (reply[at] == (byte)'C')
            {
                var tag = Encoding.ASCII.GetString(body).TrimEnd('\0');
                if (int.TryParse(tag[(tag.LastIndexOf(' ') + 1)..], out var n)) rows = n;
            }
            if (reply[at] == (byte)'Z') return rows;
            at += 1 + length;
        }
        return null;
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_sockets) foreach (var s in _sockets) s.Dispose();
        return ValueTask.CompletedTask;
    }
}
