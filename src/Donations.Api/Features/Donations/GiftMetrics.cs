using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Observability;
using Donations.Data.Entities;

namespace Donations.Api.Features.Donations;

/// <summary>Counts settled gifts once they are committed, so a rolled-back or re-run event counts nothing.</summary>
public sealed class GiftMetrics(DonationsMetrics metrics) : IAfterCommit<GiftRecorded>
{
    public Task AfterCommitAsync(IReadOnlyList<GiftRecorded> events, CancellationToken ct)
    {
        foreach (var d in events.Select(e => e.Donation))
            metrics.DonationSettled(d.Currency, d.Frequency switch
            {
                DonationFrequency.Monthly => "monthly",
                DonationFrequency.Annual => "annual",
                _ => "one-time",
            }, d.Amount);
        return Task.CompletedTask;
    }
}
