using Donations.Api.Features.Donations;
using Donations.Api.Features.Receipts;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Donations.Tests.Infrastructure.PlannerCounters;

namespace Donations.Tests.Foundation;

/// <summary>
/// The lookups every gift makes stay lookups when a burst outruns the planner's statistics: a table
/// that grew since it was last analyzed, or thousands of receipts pending where the statistics say
/// almost none are, under the generic plans PostgreSQL may keep for the service's prepared
/// statements (<see cref="PlannerCounters"/>).
/// </summary>
public sealed class LookupsUnderBurstTests
{
    private const int Rows = 3000;

    [Fact]
    public async Task Finding_a_new_donor_reads_no_table_whole_once_donors_outgrow_the_plan_made_when_they_were_few()
    {
        // One connection in the app's pool: the lookups after the burst run on the connection that
        // prepared the statement (and PostgreSQL planned it) while the table was nearly empty.
        var database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.HangfireServer = false;
            o.ConnectionString = database + ";Maximum Pool Size=1";
        });
        await SqlAsync(app, """ALTER TABLE "Donors" SET (autovacuum_enabled = false)""");
        await PlanGenericallyAsync(app);
        var before = await RowsReadAsync(app, "Donors");

        // The first gifts of a new database: the lookup is prepared on the service's connection
        // and planned while the table is nearly empty. Then a burst of donors arrives.
        for (var i = 0; i < 8; i++) await FindNewDonorAsync(app, $"first{i}");
        await SqlAsync(app, $"""
            INSERT INTO "Donors" ("Email", "Name", "StripeCustomerId", "CreatedAt")
            SELECT 'reader' || g || '@example.com', 'Reader ' || g, 'cus_reader' || g, now() FROM generate_series(1, {Rows}) g;
            """);
        for (var i = 0; i < 8; i++) await FindNewDonorAsync(app, $"later{i}");

        var read = await RowsReadAsync(app, "Donors") - before;
        Assert.True(read.Scanned == 0 && read.Fetched < 200,
            $"sixteen donor lookups read {read.Scanned} rows by scanning and {read.Fetched} through indexes, the last eight among {Rows} donors");
    }

    private static async Task FindNewDonorAsync(DonationsApp app, string name)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
        var donor = await scope.ServiceProvider.GetRequiredService<DonorDirectory>()
            .FindOrAddAsync(new DonorIdentity($"{name}@example.org", "New Reader", $"cus_{name}"), DateTime.UtcNow, CancellationToken.None);
        Assert.Equal(0, donor!.Id); // nobody under the address or the customer: a new record
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Claiming_renewing_and_marking_two_receipts_reads_them_alone_while_thousands_are_pending()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.HangfireServer = false; });
        // Analyzed while every receipt was sent, as a database in service is before a burst.
        await SqlAsync(app, BulkGivers.Sql(Rows, 2026) + """
            ANALYZE "Receipts";
            ALTER TABLE "Receipts" SET (autovacuum_enabled = false);
            UPDATE "Receipts" SET "Status" = 'Pending', "SentAt" = NULL;
            """);
        await PlanGenericallyAsync(app);
        var before = await RowsReadAsync(app, "Receipts");

        var clock = app.Services.GetRequiredService<TimeProvider>();
        var metrics = app.Services.GetRequiredService<DonationsMetrics>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test");
        var scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
        for (var round = 0; round < 3; round++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var claims = scope.ServiceProvider.GetRequiredService<ReceiptClaims>();
            var held = await claims.ClaimAsync(2, TimeSpan.FromMinutes(5), CancellationToken.None);
            Assert.Equal(2, held.Unsent().Count);
            await claims.RenewAsync(held, CancellationToken.None);
            await using (var marks = new SentMarks(scopes, held, clock, metrics, log))
            {
                foreach (var id in held.Unsent().ToList()) await marks.SentAsync(id, nameof(ReceiptKind.Original));
                await marks.FlushAsync();
            }
        }

        var read = await RowsReadAsync(app, "Receipts") - before;
        Assert.Equal(6, await app.WithDbAsync(db => db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Sent)));
        Assert.True(read.Scanned == 0 && read.Fetched < 200,
            $"three rounds of two receipts read {read.Scanned} rows by scanning and {read.Fetched} through indexes of {Rows} pending");
    }
}
