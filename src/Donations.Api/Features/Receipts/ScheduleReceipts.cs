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
    private readonly List<long> _held = [];

    public Task AfterCommitAsync(IReadOnlyList<DonationChanged> events, CancellationToken ct)
    {
        var ids = events.Select(e => e.Donation.Id).Distinct();
        if (!batch.IsOpen)
        {
            foreach (var id in ids) receipts.Schedule(id);
            return Task.CompletedTask;
        }
        _held.AddRange(ids);
        batch.Hold(this, _ =>
        {
            var held = _held.Distinct().ToList();
            _held.Clear();
            if (held.Count > 0) receipts.Schedule(held);
            return Task.CompletedTask;
        });
        return Task.CompletedTask;
    }
}
