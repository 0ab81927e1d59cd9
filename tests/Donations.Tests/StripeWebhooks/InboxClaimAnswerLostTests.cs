using System.Diagnostics;
using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// A claim that committed on the server but whose answer never reached the node: the node cannot
/// tell it claimed anything, yet the rows are marked handed over. The dispatcher keeps the claim's
/// mark and releases its rows as soon as the database answers again, well before the sweeper's
/// <c>Stripe:InboxStuckAfter</c> (10 minutes here), and each event is still processed by one job.
/// </summary>
public sealed class InboxClaimAnswerLostTests
{
    private const string ClaimStatement = "UPDATE \"StripeEvents\" SET \"EnqueuedAt\"";
    /// <summary>The dispatcher's back-off after a failed pass (1 s) and a pass, with room for a loaded machine; far below the sweeper's.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Events_whose_claim_answer_was_lost_are_dispatched_again_within_seconds_and_processed_by_one_job_each()
    {
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();
        await using var proxy = PostgresProxy.Start(postgres.Port);
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.ConnectionString = proxy.Through(database);
        });
        var events = Enumerable.Range(0, 5).Select(i => new OneTimeGift(Amount: 2000 + i).CheckoutCompleted()).ToList();
        var ids = events.Select(StripeEventFactory.IdOf).ToList();
        proxy.LoseAnswerTo(ClaimStatement);

        var delivered = Stopwatch.StartNew();
        await app.DeliverAsync([.. events]);
        await app.WaitForEventStatusAsync(ids, Bound, StripeEventStatus.Processed);
        var took = delivered.Elapsed;
        await app.WaitForIdleJobsAsync();

        Assert.Equal(1, proxy.AnswersLost);
        Assert.True(took < Bound, $"took {took}");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => 2000L + i),
            await app.WithDbAsync(db => db.Donations.OrderBy(d => d.Amount).Select(d => d.Amount).ToListAsync()));
        var handedOver = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().SucceededJobs(0, 1000)
            .Where(j => j.Value.Job?.Type == typeof(ProcessStripeEventBatch))
            .SelectMany(j => (string[])j.Value.Job!.Args[0]).ToList();
        Assert.Equal(ids.Order(), handedOver.Order());
    }
}
