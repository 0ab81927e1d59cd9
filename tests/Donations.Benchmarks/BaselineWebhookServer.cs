using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Donations.Benchmarks;

/// <summary>
/// The physical floor for webhook ingest: read the body, check one HMAC-SHA256 signature, insert
/// one row, answer 200. No framework features beyond Kestrel routing. The service's endpoint is
/// measured against this on the same database in the same run.
/// </summary>
public sealed class BaselineWebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private BaselineWebhookServer(WebApplication app, Uri address) { _app = app; Address = address; }

    public Uri Address { get; }

    public static async Task<BaselineWebhookServer> StartAsync(string connectionString, string secret)
    {
        await using (var source = NpgsqlDataSource.Create(connectionString))
        await using (var create = source.CreateCommand(
            "CREATE TABLE IF NOT EXISTS baseline_events (id text PRIMARY KEY, payload text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())"))
            await create.ExecuteNonQueryAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
        var app = builder.Build();
        var key = Encoding.UTF8.GetBytes(secret);
        app.MapPost("/stripe/webhook", async (HttpContext http, NpgsqlDataSource db) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (!Verify(http.Request.Headers["Stripe-Signature"].ToString(), body, key)) return Results.BadRequest();
            var id = ExtractId(body);
            await using var cmd = db.CreateCommand("INSERT INTO baseline_events (id, payload) VALUES ($1, $2) ON CONFLICT DO NOTHING");
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(body);
            await cmd.ExecuteNonQueryAsync();
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BaselineWebhookServer(app, new Uri(address));
    }

    private static bool Verify(string header, string body, byte[] key)
    {
        string? t = null, v1 = null;
        foreach (var part in header.Split(','))
        {
            if (part.StartsWith("t=")) t = part[2..];
            else if (part.StartsWith("v1=")) v1 = part[3..];
        }
        if (t is null || v1 is null) return false;
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{t}.{body}"));
        return CryptographicOperations.FixedTimeEquals(mac, Convert.FromHexString(v1));
    }

    private static string ExtractId(string body)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync() { await _app.StopAsync(); await _app.DisposeAsync(); }
}
