using System.Collections.Concurrent;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Donations.Tests.Faults;

/// <summary>
/// The service as a real process on PostgreSQL with a real SMTP server, killed (SIGKILL) while
/// events are arriving, being processed and receipts are going out, then started again.
/// What is allowed: a receipt whose email left just before the kill but whose "sent" mark did
/// not make it is sent once more after the claim lease runs out — with the same Message-Id and
/// receipt number, so mail clients show one message. Nothing else may repeat, nothing may be lost.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class ProcessKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_service_mid_run_and_starting_it_again_loses_and_doubles_nothing()
    {
        var mix = GiftMix.Create(oneTime: 160, monthly: 20);
        await using var smtp = await SmtpSink.StartAsync();
        await using var stripe = await StripeStandIn.StartAsync();
        var cs = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var dir = Directory.CreateTempSubdirectory("donations-kill-").FullName;
        var settings = DonationsApp.DefaultSettings(
            new DonationsAppOptions { Provider = DatabaseProvider.Postgres, UseSmtp = true, Stripe = stripe, Smtp = smtp }, dir, cs);
        // A dead node's jobs and receipt claims come back within seconds rather than minutes; small
        // batches keep a batch well inside its lease on a busy machine.
        settings["Hangfire:InvisibilityTimeout"] = "00:00:10";
        settings["Email:Smtp:ClaimLease"] = "00:00:08";
        settings["Email:Smtp:BatchSize"] = "5";
        settings["Stripe:InboxStuckAfter"] = "00:00:15";
        settings["Logging:LogLevel:Default"] = "Warning";

        // Disposed where the test kills it; the using is for a test that fails before then.
        await using var first = await ServiceProcess.StartAsync(settings, dir, environment: "Testing");
        var toDeliver = new ConcurrentQueue<string>(mix.Shuffled(times: 3));
        var undelivered = new ConcurrentBag<string>();
        var killed = false;
        var load = Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var client = first.CreateClient();
            client.Timeout = TimeSpan.FromSeconds(10);
            while (toDeliver.TryDequeue(out var json))
            {
                try
                {
                    if ((int)await client.PostEventAsync(json) is < 200 or >= 300) undelivered.Add(json);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    undelivered.Add(json); // the process is gone: Stripe keeps the event and retries later
                }
                if (!Volatile.Read(ref killed)) await Task.Delay(100);
            }
        }));

        // Kill once receipts are on their way, whatever else is in flight at that moment.
        await Wait.UntilAsync(() => Task.FromResult(smtp.Messages.Count >= 5), TimeSpan.FromSeconds(40), "the first receipts");
        first.Kill();
        Volatile.Write(ref killed, true);
        await first.DisposeAsync();
        await load;
        var sentBeforeKill = smtp.Messages.Count;
        output.WriteLine($"Killed after {sentBeforeKill} receipt emails; {undelivered.Count} deliveries were refused or cut off");

        await using var second = await ServiceProcess.StartAsync(settings, dir, environment: "Testing");
        using (var client = second.CreateClient())
            foreach (var json in undelivered)
                Assert.True((int)await client.PostEventAsync(json) is >= 200 and < 300, "a redelivery after the restart was refused");

        try
        {
            // Worst case is the minutely receipts sweeper: a gift committed in the instant before its receipt job was enqueued.
            await Wait.UntilAsync(() => AllDoneAsync(cs, mix.Events.Count, mix.ExpectedDonations), TimeSpan.FromSeconds(90),
                "every event processed and every receipt marked sent");
        }
        catch (TimeoutException)
        {
            output.WriteLine(await ServiceState.DescribeAsync(cs));
            output.WriteLine(second.Output.Length > 4000 ? second.Output[^4000..] : second.Output);
            throw;
        }
        // Let any resend in flight land before counting.
        await Settle.UntilNothingLeftToSendAsync(cs, smtp);

        await mix.AssertExactlyOnceInDatabaseAsync(cs);
        var messages = smtp.Messages;
        mix.AssertOneReceiptEmailPerGift(messages, allowResendAfterCrash: true);
        var resent = messages.Count - mix.ExpectedDonations;
        output.WriteLine($"{messages.Count} emails for {mix.ExpectedDonations} receipts: {resent} resent after the crash (same Message-Id)");
        // Only what was between "sent" and "marked sent" at the kill may repeat: at most one batch per sender.
        Assert.InRange(resent, 0, 5 * 10);
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private static async Task<bool> AllDoneAsync(string cs, int events, int donations)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM "StripeEvents" WHERE "Status" IN ('Processed', 'Ignored')),
                   (SELECT count(*) FROM "Receipts" WHERE "Status" = 'Sent')
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return r.GetInt64(0) == events && r.GetInt64(1) >= donations;
    }
}
