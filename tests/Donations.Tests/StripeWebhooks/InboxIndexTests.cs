using System.Data.Common;
using System.Text;
using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// The inbox's partial indexes (<c>DonationsDbContext</c>): the dispatcher's claim reads the oldest
/// waiting events from their own index, in arrival order, without sorting the waiting rows or
/// reading the table, however many wait or are handed over; the backlog gauge counts both kinds.
/// </summary>
public sealed class InboxIndexTests
{
    private const int Claimed = 4000;
    private const int Waiting = 2000;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_claim_reads_the_oldest_waiting_events_in_order_from_their_own_index_not_the_backlog(DatabaseProvider provider)
    {
        await using var app = await InboxDispatcherFaultTests.StartWithoutDispatcherAsync(provider);
        var waiting = await SeedBacklogAsync(app, provider);

        var (sql, parameters) = app.Services.GetRequiredService<RowClaims>().OneStatementClaim(InboxDispatcher.Claim(DateTime.UtcNow));
        var plan = await app.WithDbAsync(db => ExplainAsync(db, provider, sql, parameters));

        Assert.True(plan.Contains("IX_StripeEvents_WaitingToBeEnqueued", StringComparison.Ordinal), plan);
        // Neither a sort of the waiting rows nor a read of the whole table.
        string[] refused = provider == DatabaseProvider.Postgres ? ["Sort", "Seq Scan"] : ["TEMP B-TREE", "SCAN StripeEvents" + Environment.NewLine];
        foreach (var step in refused) Assert.False(plan.Contains(step, StringComparison.Ordinal), plan);

        // And the pass itself takes the oldest waiting events, in the order they arrived.
        var jobs = new RecordingJobs();
        var dispatcher = ActivatorUtilities.CreateInstance<InboxDispatcher>(app.Services, jobs);
        Assert.Equal(200, await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(waiting.Take(200), jobs.Enqueued);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task The_backlog_gauge_counts_waiting_and_handed_over_events_and_nothing_settled(DatabaseProvider provider)
    {
        await using var app = await InboxDispatcherFaultTests.StartWithoutDispatcherAsync(provider);
        await SeedBacklogAsync(app, provider);
        await app.WithDbAsync(async db =>
        {
            var at = DateTime.UtcNow;
            foreach (var (status, n) in new[] { (StripeEventStatus.Processed, 7), (StripeEventStatus.Ignored, 5), (StripeEventStatus.Failed, 3) })
                for (var i = 0; i < n; i++)
                    db.StripeEvents.Add(new StripeEvent
                    {
                        Id = $"evt_{status}_{i}", Type = "charge.succeeded", Source = StripeInbox.FromWebhook, Payload = "{}",
                        CreatedAt = at, ReceivedAt = at, Status = status, EnqueuedAt = at, ProcessedAt = at,
                    });
            await db.SaveChangesAsync();
        });

        Assert.Equal(Claimed + Waiting, await app.WithDbAsync(db => InboxBacklogSampler.CountAsync(db, CancellationToken.None)));
    }

    /// <summary>
    /// <see cref="Claimed"/> events handed over and waiting for their jobs, then <see cref="Waiting"/>
    /// not handed over yet, each Stripe-sized; statistics taken, as a database in service has them.
    /// Returns the waiting events' ids, oldest first.
    /// </summary>
    private static async Task<List<string>> SeedBacklogAsync(DonationsApp app, DatabaseProvider provider)
    {
        var start = DateTime.UtcNow.AddHours(-1);
        var payload = "{\"object\":\"event\",\"data\":" + new string('x', 1300) + "}";
        var waiting = new List<string>();
        await app.WithDbAsync(async db =>
        {
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var i = 0; i < Claimed + Waiting; i++)
            {
                var id = $"evt_backlog_{i:D5}";
                var handedOver = i < Claimed;
                if (!handedOver) waiting.Add(id);
                db.StripeEvents.Add(new StripeEvent
                {
                    Id = id, Type = "checkout.session.completed", Source = StripeInbox.FromWebhook, Payload = payload,
                    CreatedAt = start, ReceivedAt = start.AddMilliseconds(i), Status = StripeEventStatus.Received,
                    EnqueuedAt = handedOver ? start.AddMinutes(1) : null,
                });
            }
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.Postgres ? "ANALYZE \"StripeEvents\"" : "ANALYZE");
        });
        return waiting;
    }

    private static async Task<string> ExplainAsync(DonationsDbContext db, DatabaseProvider provider, string sql,
        IReadOnlyDictionary<string, object?> parameters)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = (provider == DatabaseProvider.Postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql;
        foreach (var (name, value) in parameters)
        {
            if (!sql.Contains('@' + name, StringComparison.Ordinal)) continue;
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        var plan = new StringBuilder();
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        // PostgreSQL: one column of plan lines; SQLite: (id, parent, notused, detail).
        while (await reader.ReadAsync()) plan.AppendLine(reader.GetString(reader.FieldCount - 1));
        return plan.ToString();
    }

    /// <summary>Records the events of each job instead of storing it: the test runs no jobs.</summary>
    private sealed class RecordingJobs : IBackgroundJobClient
    {
        public List<string> Enqueued { get; } = [];

        public string Create(Job job, IState state)
        {
            Enqueued.AddRange((string[])job.Args[0]);
            return Guid.NewGuid().ToString("N");
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => true;
    }
}
