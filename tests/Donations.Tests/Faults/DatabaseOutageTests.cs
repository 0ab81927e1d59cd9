using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Donations.Tests.Faults;

[Collection(FaultsCollection.Name)]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    /// <summary>
    /// From the database's return to the last acknowledged gift recorded and receipted. Locks left
    /// by connections that died in the restart used to hold jobs back for ten minutes.
    /// </summary>
    private static readonly TimeSpan RecoveryBudget = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task PostgreSQL_restarting_under_webhook_load_loses_no_acknowledged_event_and_redeliveries_double_nothing()
    {
        var mix = GiftMix.Create(oneTime: 160, monthly: 20);
        // A cluster of its own: stopping it must not disturb other tests' databases.
        await using var pg = await PostgresServer.StartNewAsync();
        var cs = await pg.CreateDatabaseAsync();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.ConnectionString = cs;
            o.UseSmtp = true;
            o.Settings["Hangfire:InvisibilityTimeout"] = "00:00:10";
            // A sender whose database vanished mid-batch cannot release its claims: they lapse after
            // the lease, and the receipts go out then (a receipt sent but not marked, again, same Message-Id).
            o.Settings["Email:Smtp:ClaimLease"] = "00:00:10";
            o.Settings["Email:Smtp:BatchSize"] = "10";
        });

        var pending = new ConcurrentQueue<string>(mix.Events.OrderBy(_ => Random.Shared.Next()));
        var acknowledged = new ConcurrentBag<string>();
        var rejected = new ConcurrentBag<string>();
        var otherAnswers = new ConcurrentBag<string>();
        var outageDone = new TaskCompletionSource();

        var load = Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var client = app.CreateClient(handleCookies: false);
            while (pending.TryDequeue(out var json))
            {
                var status = await client.PostEventAsync(json);
                if ((int)status is >= 200 and < 300) acknowledged.Add(json);
                else if ((int)status >= 500) rejected.Add(json);
                else otherAnswers.Add($"{(int)status}");
                // Keep deliveries flowing at a modest pace until the outage is over.
                if (!outageDone.Task.IsCompleted) await Task.Delay(20);
            }
        }));

        await Wait.UntilAsync(() => Task.FromResult(acknowledged.Count >= 40), TimeSpan.FromSeconds(30), "the first deliveries");
        await pg.StopAsync();
        await Wait.UntilAsync(() => Task.FromResult(rejected.Count >= 10 || pending.IsEmpty), TimeSpan.FromSeconds(30),
            "deliveries to be refused while the database is down");
        await pg.StartAsync();
        var databaseBack = Stopwatch.StartNew();
        outageDone.SetResult();
        await load;

        Assert.Empty(otherAnswers);
        Assert.NotEmpty(rejected); // the outage was seen by Stripe, who will retry
        Assert.Equal(mix.Events.Count, acknowledged.Count + rejected.Count);

        // Every acknowledged gift is recorded and receipted soon after the database is back, with no help from Stripe.
        var acknowledgedKeys = acknowledged.Select(SettlementKeyOf).Distinct().ToList();
        try
        {
            await Wait.UntilAsync(() => app.WithDbAsync(db => db.Donations.CountAsync(d => acknowledgedKeys.Contains(d.SettlementKey)
                    && d.Receipts.Any(r => r.Status == ReceiptStatus.Sent))).ContinueWith(t => t.Result == acknowledgedKeys.Count),
                RecoveryBudget + TimeSpan.FromMinutes(1), $"{acknowledgedKeys.Count} acknowledged gifts to be receipted");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(await ServiceState.DescribeAsync(cs), e);
        }
        var recovery = databaseBack.Elapsed;
        output.WriteLine($"Last of {acknowledgedKeys.Count} acknowledged gifts receipted {recovery.TotalSeconds:0.0} s after the database returned");
        Assert.True(recovery < RecoveryBudget,
            $"The last acknowledged gift was receipted {recovery.TotalSeconds:0} s after the database returned (budget {RecoveryBudget.TotalSeconds:0} s).");

        try
        {
            // A job that failed while the database was away waits for Hangfire's retry (2, 5, 10,
            // 20, 30 s apart), which a loaded machine can stretch.
            await app.WaitForEventStatusAsync(acknowledged.Select(StripeEventFactory.IdOf), TimeSpan.FromSeconds(90),
                StripeEventStatus.Processed, StripeEventStatus.Ignored);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(await ServiceState.DescribeAsync(cs), e);
        }

        // Stripe redelivers what it was refused (some may have been stored after all: a duplicate is fine).
        using (var client = app.CreateClient(handleCookies: false))
            foreach (var json in rejected)
                Assert.Equal(HttpStatusCode.OK, await client.PostEventAsync(json));
        await app.WaitForEventsAsync([.. mix.Events]);
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(GiftMix.ReceiptsByNumber(app.Smtp!.Messages).Count >= mix.ExpectedDonations),
                TimeSpan.FromSeconds(60), $"{mix.ExpectedDonations} receipts to reach the SMTP sink");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(await ServiceState.DescribeAsync(cs), e);
        }
        // Hangfire may still be retrying jobs that failed during the outage (all of them find their
        // work done); what matters is that no further email arrives.
        await Settle.UntilNothingLeftToSendAsync(app.ConnectionString, app.Smtp!);

        await mix.AssertExactlyOnceInDatabaseAsync(app.ConnectionString);
        // Exactly one receipt number per gift; a receipt whose "sent" mark was lost with the database
        // may have gone out twice, as the same message (same Message-Id).
        mix.AssertOneReceiptEmailPerGift(app.Smtp!.Messages, allowResendAfterCrash: true);
    }

    /// <summary>The donation an event of the mix settles: <c>pi:</c> for a one-time session, <c>in:</c> for a month.</summary>
    private static string SettlementKeyOf(string eventJson)
    {
        var o = JsonNode.Parse(eventJson)!["data"]!["object"]!;
        return (string?)o["object"] == "invoice" ? "in:" + (string)o["id"]!
            : (string?)o["mode"] == "subscription" ? "in:" + (string)o["invoice"]! : "pi:" + (string)o["payment_intent"]!;
    }
}
