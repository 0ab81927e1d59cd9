using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Foundation;

/// <summary>
/// The lookups every gift makes are compiled once per model (<see cref="CompiledQueries{TQuery}"/>):
/// each database provider has a model of its own, and a query EF Core compiled for one model
/// refuses to run on another, so one compiled for the process would serve only the first
/// database it met.
/// </summary>
public sealed class CompiledQueriesTests
{
    [Fact]
    public async Task A_gift_and_its_donor_are_found_by_the_compiled_lookups_on_SQLite_and_PostgreSQL_in_one_process()
    {
        await using var sqlite = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await using var postgres = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.HangfireServer = false; });

        var n = 0;
        foreach (var app in new[] { sqlite, postgres, sqlite, postgres })
        {
            var id = await app.SeedAsync(email: $"compiled-{++n}@example.org");
            var gift = await app.WithDbAsync(db => db.Donations.Where(d => d.Id == id)
                .Select(d => new { d.SettlementKey, d.DonorId, d.Donor!.Email }).SingleAsync());

            await using var scope = app.Services.CreateAsyncScope();
            var found = await scope.ServiceProvider.GetRequiredService<DonationLedger>().FindByKeyAsync(gift.SettlementKey, CancellationToken.None);
            var donor = await scope.ServiceProvider.GetRequiredService<DonorDirectory>()
                .FindOrAddAsync(new DonorIdentity(gift.Email, null, null), DateTime.UtcNow, CancellationToken.None);

            Assert.Equal(id, found?.Id);
            Assert.Equal(gift.DonorId, donor?.Id);
            Assert.Null(await scope.ServiceProvider.GetRequiredService<DonationLedger>().FindByKeyAsync("no-such-key", CancellationToken.None));
        }
    }
}
