using Donations.Api.Features.Receipts;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>Numbers come from the database: consecutive per year, never reused, no gaps.</summary>
public sealed class ReceiptNumberingTests
{
    [Fact]
    public async Task Concurrent_allocation_on_PostgreSQL_gives_consecutive_unique_numbers_per_year()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.HangfireServer = false; });
        var ids2026 = new List<long>();
        var ids2027 = new List<long>();
        for (var i = 0; i < 30; i++) ids2026.Add(await app.SeedAsync());
        for (var i = 0; i < 10; i++) ids2027.Add(await app.SeedAsync(d => d.ReceivedAt = new DateTime(2027, 2, 1, 12, 0, 0, DateTimeKind.Utc)));

        // Every reconciliation at once, as many workers on several instances would; neither
        // year's counter row exists yet, so its creation races too.
        await Task.WhenAll(ids2026.Concat(ids2027).Select(id => Task.Run(() => app.ReconcileAsync(id))));

        var numbers = await app.WithDbAsync(db => db.Receipts.Select(r => new { r.Year, r.Sequence, r.Number }).ToListAsync());
        Assert.Equal(Enumerable.Range(1, 30), numbers.Where(n => n.Year == 2026).Select(n => n.Sequence).Order());
        Assert.Equal(Enumerable.Range(1, 10), numbers.Where(n => n.Year == 2027).Select(n => n.Sequence).Order());
        Assert.All(numbers, n => Assert.Equal($"{n.Year}-{n.Sequence:000000}", n.Number));
        var counters = await app.WithDbAsync(db => db.ReceiptCounters.OrderBy(c => c.Year).Select(c => c.LastSequence).ToListAsync());
        Assert.Equal([30, 10], counters);
    }

    [Fact]
    public async Task A_rolled_back_allocation_gives_its_number_back()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.HangfireServer = false; });
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
            var numbers = scope.ServiceProvider.GetRequiredService<ReceiptNumbers>();
            await numbers.EnsureCounterAsync(2026, CancellationToken.None);
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.Equal(1, await numbers.NextAsync(2026, CancellationToken.None));
            await tx.RollbackAsync();
        }

        var id = await app.SeedAsync();
        await app.ReconcileAsync(id);
        await app.ReconcileAsync(id);

        var receipt = await app.WithDbAsync(db => db.Receipts.SingleAsync());
        Assert.Equal("2026-000001", receipt.Number);
    }

    [Fact]
    public async Task Numbers_are_allocated_only_inside_a_transaction()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await using var scope = app.Services.CreateAsyncScope();
        var numbers = scope.ServiceProvider.GetRequiredService<ReceiptNumbers>();
        await numbers.EnsureCounterAsync(2026, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => numbers.NextAsync(2026, CancellationToken.None));
    }
}
