using Donations.Api.Features.Receipts;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>A sender slower than its lease: it keeps what it still holds and gives up what another sender took.</summary>
public sealed class ReceiptLeaseTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_batch_past_half_its_lease_renews_it_so_no_other_sender_can_take_its_receipts(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var ids = await PendingReceiptsAsync(app, 3);
        await using var first = app.Services.CreateAsyncScope();
        var slow = first.ServiceProvider.GetRequiredService<ReceiptClaims>();
        var held = await slow.ClaimAsync(10, Lease, CancellationToken.None);
        Assert.Equal(ids, held.Ids.Order());

        app.Clock().Advance(Lease * 0.6);
        Assert.True(await slow.KeepAsync(held, ids[0], CancellationToken.None));
        held.Done(ids[0]);
        // Past the first lease's end, the renewed rows are still held: another sender finds none.
        app.Clock().Advance(Lease * 0.6);
        await using var second = app.Services.CreateAsyncScope();
        Assert.Empty((await second.ServiceProvider.GetRequiredService<ReceiptClaims>().ClaimAsync(10, Lease, CancellationToken.None)).Ids);
        Assert.True(await slow.KeepAsync(held, ids[1], CancellationToken.None));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task A_receipt_taken_by_another_sender_after_the_lease_ran_out_is_given_up_by_the_first_and_keeps_the_second_lease(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var ids = await PendingReceiptsAsync(app, 2);
        await using var first = app.Services.CreateAsyncScope();
        var slow = first.ServiceProvider.GetRequiredService<ReceiptClaims>();
        var held = await slow.ClaimAsync(10, Lease, CancellationToken.None);

        app.Clock().Advance(Lease + TimeSpan.FromSeconds(1));
        await using var second = app.Services.CreateAsyncScope();
        var taken = await second.ServiceProvider.GetRequiredService<ReceiptClaims>().ClaimAsync(10, Lease, CancellationToken.None);
        Assert.Equal(ids, taken.Ids.Order());

        Assert.False(await slow.KeepAsync(held, ids[0], CancellationToken.None));
        Assert.False(await slow.KeepAsync(held, ids[1], CancellationToken.None));
        var leases = await app.WithDbAsync(db => db.Receipts.Select(r => r.ClaimedUntil).Distinct().ToListAsync());
        Assert.Equal([taken.Until], leases);
    }

    private static Task<DonationsApp> StartAsync(DatabaseProvider provider) => DonationsApp.StartAsync(o =>
    {
        o.Provider = provider;
        o.HangfireServer = false;
        o.UseTestClock();
    });

    private static async Task<List<long>> PendingReceiptsAsync(DonationsApp app, int count)
    {
        var ids = new List<long>();
        for (var i = 1; i <= count; i++)
        {
            var donationId = await app.SeedAsync();
            ids.Add(await app.WithDbAsync(async db =>
            {
                var receipt = new Receipt
                {
                    Number = $"2026-{900000 + i}", Year = 2026, Sequence = 900000 + i, DonationId = donationId,
                    Amount = 2500, Currency = "usd", DeductibleAmount = 2500, IssuedAt = DateTime.UtcNow,
                    MessageId = $"lease-{Guid.NewGuid():N}@example.org",
                };
                db.Receipts.Add(receipt);
                await db.SaveChangesAsync();
                return receipt.Id;
            }));
        }
        return ids;
    }
}
