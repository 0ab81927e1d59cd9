using System.Collections.Concurrent;
using System.Net;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;

namespace Donations.Tests.Faults;

[Collection(FaultsCollection.Name)]
public sealed class RedeliveryStormTests
{
    [Fact]
    public async Task The_same_200_events_delivered_ten_times_each_shuffled_from_16_clients_make_each_gift_and_receipt_once()
    {
        // 160 one-time gifts and 20 monthly gifts whose first month is announced twice: 200 events, 180 payments.
        var mix = GiftMix.Create(oneTime: 160, monthly: 20);
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
        });
        var deliveries = new ConcurrentQueue<string>(mix.Shuffled(times: 10));
        var answers = new ConcurrentBag<HttpStatusCode>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var client = app.CreateClient(handleCookies: false);
            while (deliveries.TryDequeue(out var json))
            {
                answers.Add(await client.PostEventAsync(json));
            }
        }));

        Assert.Equal(2000, answers.Count);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        await app.WaitForEventsAsync([.. mix.Events]);
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count >= mix.ExpectedDonations),
            TimeSpan.FromSeconds(45), $"{mix.ExpectedDonations} receipts to reach the SMTP sink");
        await app.WaitForIdleJobsAsync();

        await mix.AssertExactlyOnceInDatabaseAsync(app.ConnectionString);
        mix.AssertOneReceiptEmailPerGift(app.Smtp!.Messages);
    }
}
