namespace Donations.Api.Features.Receipts;

/// <summary>
/// Asks for a donation's receipts to be brought in line with its state: an original receipt once
/// it is settled, a void notice or corrected receipt after a refund or lost dispute. Idempotent:
/// event handlers call it every time they touch a donation, even for a duplicate event, so a
/// crash between their commit and this call is healed by the event job's retry.
/// </summary>
public interface IReceiptScheduler
{
    void Schedule(long donationId);

    /// <summary>The same for many gifts at once, in as few jobs as a batch allows.</summary>
    void Schedule(IReadOnlyCollection<long> donationIds);
}
