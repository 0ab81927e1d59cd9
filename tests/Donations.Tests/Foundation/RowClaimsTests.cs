using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Foundation;

public sealed class RowClaimsTests
{
    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Claimers_racing_for_batches_take_every_row_once_and_in_order(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = provider; o.HangfireServer = false; });
        var now = DateTime.UtcNow;
        await app.WithDbAsync(async db =>
        {
            db.Notifications.AddRange(Enumerable.Range(1, 60).Select(i => new Notification
            {
                Key = $"race:{i}", Kind = "race", MessageId = $"race-{i}@example.org", CreatedAt = now,
            }));
            await db.SaveChangesAsync();
        });

        var batches = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
            var claims = scope.ServiceProvider.GetRequiredService<RowClaims>();
            var mine = new List<long>();
            while (await Claim(claims, db, now) is { Count: > 0 } batch)
            {
                Assert.Equal(batch.Order(), batch);
                mine.AddRange(batch);
            }
            return mine;
        })));

        var all = batches.SelectMany(b => b).ToList();
        Assert.Equal(60, all.Count);
        Assert.Equal(60, all.Distinct().Count());
        Assert.Equal(60, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.ClaimedUntil != null && n.Attempts == 1)));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task An_insert_that_loses_the_race_for_its_key_says_so_and_leaves_nothing_tracked(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = provider; o.HangfireServer = false; });
        Notification Row() => new() { Key = "once", Kind = "race", MessageId = $"{Guid.NewGuid():N}@example.org", CreatedAt = DateTime.UtcNow };

        var outcomes = await app.WithDbAsync(async db => new[]
        {
            await RowClaims.TryInsertAsync(db, d => d.Notifications.Add(Row()), default),
            await RowClaims.TryInsertAsync(db, d => d.Notifications.Add(Row()), default),
        }.ToList());
        var tracked = await app.WithDbAsync(async db =>
        {
            await RowClaims.TryInsertAsync(db, d => d.Notifications.Add(Row()), default);
            return db.ChangeTracker.Entries().Count();
        });

        Assert.Equal([true, false], outcomes);
        Assert.Equal(0, tracked);
        Assert.Equal(1, await app.WithDbAsync(db => db.Notifications.CountAsync()));
    }

    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task An_insert_unless_present_keeps_to_the_callers_transaction_and_connection(DatabaseProvider provider)
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = provider; o.HangfireServer = false; });
        var at = new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc);
        StripeEvent Row(string id) => new()
        {
            Id = id, Type = "charge.refunded", ApiVersion = null, CreatedAt = at, ReceivedAt = at, Source = "test",
            Payload = "{}", Status = StripeEventStatus.Failed, Error = null,
        };

        var (alone, again, closedAfter) = await app.WithDbAsync(async db =>
        {
            var claims = app.Services.GetRequiredService<RowClaims>();
            var first = await claims.InsertUnlessPresentAsync(db, Row("evt_alone"), default);
            var second = await claims.InsertUnlessPresentAsync(db, Row("evt_alone"), default);
            return (first, second, db.Database.GetDbConnection().State == System.Data.ConnectionState.Closed);
        });
        // Inside the caller's transaction: rolled back with it, not committed on a connection of its own.
        var inTransaction = await app.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var added = await app.Services.GetRequiredService<RowClaims>().InsertUnlessPresentAsync(db, Row("evt_rolled_back"), default);
            await transaction.RollbackAsync();
            return added;
        });
        // On a connection the caller opened through EF Core: still open afterwards, for the caller to close.
        var openAfter = await app.WithDbAsync(async db =>
        {
            await db.Database.OpenConnectionAsync();
            await app.Services.GetRequiredService<RowClaims>().InsertUnlessPresentAsync(db, Row("evt_open"), default);
            var open = db.Database.GetDbConnection().State == System.Data.ConnectionState.Open
                       && await db.StripeEvents.CountAsync(e => e.Id == "evt_open") == 1;
            await db.Database.CloseConnectionAsync();
            return open;
        });

        Assert.True(alone);
        Assert.False(again);
        Assert.True(closedAfter);
        Assert.True(inTransaction);
        Assert.True(openAfter);
        var stored = await app.WithDbAsync(db => db.StripeEvents.OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(["evt_alone", "evt_open"], stored.Select(e => e.Id));
        Assert.All(stored, e =>
        {
            Assert.Equal(StripeEventStatus.Failed, e.Status);
            Assert.Null(e.ApiVersion);
            Assert.Equal(at, e.CreatedAt);
            Assert.Equal(DateTimeKind.Utc, e.CreatedAt.Kind);
        });
    }

    private static Task<List<long>> Claim(RowClaims claims, DonationsDbContext db, DateTime now) =>
        claims.ClaimBatchAsync<long, long>(db, new BatchClaim(
            Table: "Notifications", Key: "Id", Order: "Id",
            Set: "\"ClaimedUntil\" = @until, \"Attempts\" = \"Attempts\" + 1",
            Where: "\"SentAt\" IS NULL AND (\"ClaimedUntil\" IS NULL OR \"ClaimedUntil\" < @now)",
            Limit: 7,
            Parameters: new Dictionary<string, object?> { ["until"] = now.AddMinutes(5), ["now"] = now }), default);
}
