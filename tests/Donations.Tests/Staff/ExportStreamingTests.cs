using System.Net;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Staff;

[Collection(nameof(MeasuresMemory))]
public sealed class ExportStreamingTests(ITestOutputHelper log)
{
    private const int Rows = 100_000;
    private const long Bound = 16 * 1024 * 1024;

    /// <summary>
    /// The export is paused after its first megabyte (the client stops reading; Kestrel and TCP then
    /// hold the server back), and the live managed heap is measured with a full collection. An export
    /// that loaded the rows first would be holding all 100,000 of them at that moment; one that
    /// streams holds a buffer. The same rows loaded with ToListAsync are measured too, to show the
    /// bound separates the two.
    /// </summary>
    [Fact]
    public async Task Exporting_100000_donations_streams_in_bounded_memory_on_PostgreSQL()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
            o.UseKestrel = true;
        });
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var client = new HttpClient(new LoopbackCookies(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }))
        {
            BaseAddress = new Uri($"http://127.0.0.1:{address.Port}"),
        };
        await CreateStaffAsync(app, "finance@example.org", StaffRoles.Finance);
        Assert.Equal(HttpStatusCode.SeeOther, (await SignInAsync(client, "finance@example.org", Password)).StatusCode);
        Assert.Equal(1, CountLines(await client.GetStringAsync("/api/finance/donations.csv"))); // warm: compiled query, JIT
        await SeedAsync(app);

        var baseline = await SettledHeapAsync();
        using var response = await client.GetAsync("/api/finance/donations.csv", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        var head = new MemoryStream();
        while (head.Length < 1024 * 1024)
        {
            var n = await body.ReadAsync(buffer);
            Assert.NotEqual(0, n);
            head.Write(buffer, 0, n);
        }
        await Task.Delay(500); // let the server fill every buffer it can and block
        var whileStreaming = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        // Memory that left the heap after the baseline would hide as much of what the export holds.
        Assert.True(whileStreaming > -2 * 1024 * 1024,
            $"The heap fell {-whileStreaming / 1024} KB under its settled baseline while the export ran: the measurement says nothing.");

        long lines = CountLines(head.ToArray());
        for (int n; (n = await body.ReadAsync(buffer)) > 0;) lines += CountLines(buffer.AsSpan(0, n));

        // Against a baseline of its own, the export's buffers let go (a CI run once saw the heap fall
        // 15 MB under an unsettled first baseline, which halved this figure against that one).
        var beforeLoading = await SettledHeapAsync();
        var loaded = await app.WithDbAsync(db => db.Donations.AsNoTracking()
            .Select(d => new { d.Id, d.ReceivedAt, d.Donor!.Email, d.Donor.Name, d.Amount, d.Currency, d.StripePaymentIntentId, d.StripeChargeId })
            .ToListAsync());
        var whenLoaded = GC.GetTotalMemory(forceFullCollection: true) - beforeLoading;
        GC.KeepAlive(loaded);

        log.WriteLine($"Heap growth: {whileStreaming / 1024} KB while streaming, {whenLoaded / 1024} KB with the rows loaded.");
        Assert.Equal(Rows + 1, lines);
        Assert.True(whileStreaming < Bound, $"The heap grew by {whileStreaming / 1024 / 1024} MB during the export.");
        Assert.True(whenLoaded > Bound, $"Loading the rows grew the heap by only {whenLoaded / 1024 / 1024} MB; the bound proves nothing.");
    }

    private static Task SeedAsync(DonationsApp app) => app.WithDbAsync(db => db.Database.ExecuteSqlRawAsync($"""
        INSERT INTO "Donors" ("Email", "Name", "CreatedAt") VALUES ('bulk@example.org', 'Bulk Donor', now());
        INSERT INTO "Donations" ("SettlementKey", "DonorId", "Amount", "Currency", "Frequency", "Status", "RefundedAmount",
            "FeeCovered", "FeeAmount", "BenefitsValue", "ReceivedAt", "CreatedAt", "StripePaymentIntentId", "StripeChargeId")
        SELECT 'pi:pi_bulk_' || g, (SELECT "Id" FROM "Donors" WHERE "Email" = 'bulk@example.org'), 1000 + g, 'usd', 'OneTime',
            'Succeeded', 0, false, 0, 0, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute', now(),
            'pi_bulk_' || g, 'ch_bulk_' || g
        FROM generate_series(1, {Rows}) AS g;
        """));

    /// <summary>
    /// The live heap once it stops moving: five full collections 200 ms apart within 256 KB of each
    /// other (20 s at most, or the test fails). Objects of an app disposed just before, by a test
    /// earlier in the process, can stay reachable a moment longer; in a baseline they would leave it
    /// during the measurement and hide what the export holds.
    /// </summary>
    private static async Task<long> SettledHeapAsync()
    {
        var readings = new List<long> { GC.GetTotalMemory(forceFullCollection: true) };
        for (var i = 0; i < 100; i++)
        {
            await Task.Delay(200);
            readings.Add(GC.GetTotalMemory(forceFullCollection: true));
            var last = readings.TakeLast(5).ToList();
            if (last.Count == 5 && last.Max() - last.Min() < 256 * 1024) return readings[^1];
        }
        Assert.Fail($"The heap did not settle in 20 s (KB): {string.Join(" ", readings.TakeLast(10).Select(r => r / 1024))}");
        return 0;
    }

    private static int CountLines(string text) => text.Count(c => c == '\n');

    private static int CountLines(ReadOnlySpan<byte> bytes) => bytes.Count((byte)'\n');
}
