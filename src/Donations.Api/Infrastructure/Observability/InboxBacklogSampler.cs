using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Infrastructure.Observability;

/// <summary>Counts unprocessed inbox rows every 15 s for the backlog gauge (a gauge must not query on scrape).</summary>
internal sealed class InboxBacklogSampler(IServiceScopeFactory scopes, DonationsMetrics metrics, ILogger<InboxBacklogSampler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(15));
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
                metrics.InboxBacklog(await CountAsync(db, stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogDebug(ex, "Could not sample the Stripe inbox backlog");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// Events not processed yet: waiting for the dispatcher and handed to Hangfire, each counted on
    /// its own index (StripeEvent's filters); the status alone is in no index.
    /// </summary>
    internal static async Task<int> CountAsync(DonationsDbContext db, CancellationToken ct) =>
        await db.StripeEvents.CountAsync(e => e.Status == StripeEventStatus.Received && e.EnqueuedAt == null, ct)
        + await db.StripeEvents.CountAsync(e => e.Status == StripeEventStatus.Received && e.EnqueuedAt != null, ct);
}
