namespace Donations.Api.Features.Receipts;

/// <summary>
/// Reads and records Stripe's settlement of one gift (its charge's balance transaction: the USD
/// amount and rate a payment in another currency came to), as the finance books keep it. Receipts
/// ask it before a foreign gift's original is issued, because the receipt's printed facts are fixed
/// then and would otherwise never carry the USD equivalent. Implemented by the finance feature (the
/// arrow points from there, so the features stay free of cycles). A Stripe failure is recorded for
/// the finance sweep to retry (with its back-off), not thrown.
/// </summary>
public interface IGiftSettlementReader
{
    Task<SettlementRead> ReadAsync(long donationId, CancellationToken ct);
}

/// <summary>What one read of a gift's settlement came to, and so whether its receipt is worth holding.</summary>
public enum SettlementRead
{
    /// <summary>Recorded (now or before).</summary>
    Recorded,
    /// <summary>Stripe answered, but the charge has no balance transaction yet (asynchronous capture): it will come.</summary>
    NotSettledYet,
    /// <summary>Stripe could not answer (down, slow, rate limited, or the wait was cancelled): it may later.</summary>
    Unavailable,
    /// <summary>Stripe refused (no such charge, no charge named): waiting would not help.</summary>
    Refused,
}
