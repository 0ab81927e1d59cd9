using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Events;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Once a gift is recorded or changed (refund, dispute, date), its day is marked for the revenue
/// rollup to recount. Inside a batch of events the days are gathered and marked once, when the
/// batch ends. After-commit work is not durable: a mark lost with a dying process is made again by
/// the recurring rollup, which looks back at gifts recorded or changed in the last
/// <see cref="RevenueRollup.LookBack"/>.
/// </summary>
public sealed class RevenueRollupFollowsGifts(RevenueRollup rollup, AfterCommitBatch batch) : IAfterCommit<DonationChanged>
{
    public Task AfterCommitAsync(IReadOnlyList<DonationChanged> events, CancellationToken ct) =>
        batch.GatherAsync(this, events.Select(e => e.Donation.ReceivedAt), (days, token) => rollup.MarkAsync(days, token), ct);
}
