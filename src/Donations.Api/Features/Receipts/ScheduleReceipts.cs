using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Events;

namespace Donations.Api.Features.Receipts;

/// <summary>
/// Once a donation's change is committed, its receipts are brought in line with it: an original
/// once settled, a void notice or corrected receipt after a refund or lost dispute.
/// </summary>
public sealed class ScheduleReceipts(ReceiptScheduler receipts) : IAfterCommit<DonationChanged>
{
    public Task AfterCommitAsync(IReadOnlyList<DonationChanged> events, CancellationToken ct)
    {
        foreach (var id in events.Select(e => e.Donation.Id).Distinct()) receipts.Schedule(id);
        return Task.CompletedTask;
    }
}
