using Donations.Api.Features.Receipts;

namespace Donations.Api.Features.StripeWebhooks;

/// <summary>
/// Fallback <see cref="IReceiptScheduler"/>, registered with TryAdd only when no receipts feature
/// registered a real one, so event processing still runs (and says plainly that no receipt went out).
/// </summary>
internal sealed class LoggingReceiptScheduler(ILogger<LoggingReceiptScheduler> log) : IReceiptScheduler
{
    public void Schedule(long donationId) =>
        log.LogWarning("No receipts feature is registered: donation {DonationId} gets no receipt", donationId);
}
