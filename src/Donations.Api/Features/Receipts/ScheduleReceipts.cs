using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Events;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Once a donation's change is committed, its receipts are brought in line with it: an original
/// once settled, a void notice or corrected receipt after a refund or lost dispute. Inside a batch
/// of events the gifts are gathered and handed over together when the batch ends, so a burst
/// issues its receipts in a few jobs; if the process dies first, <see cref="ReceiptsSweeper"/>
/// finds the gifts within a minute.
/// </summary>
public sealed class ScheduleReceipts(ReceiptScheduler receipts, AfterCommitBatch batch) : IAfterCommit<DonationChanged>
{
    public Task AfterCommitAsync(IReadOnlyList<DonationChanged> events, CancellationToken ct) =>
        batch.GatherAsync(this, events.Select(e => e.Donation.Id), (ids, _) =>
        {
            var distinct = ids.Distinct().ToList();
            if (distinct.Count > 0) receipts.Schedule(distinct);
            return Task.CompletedTask;
        }, ct);
}
