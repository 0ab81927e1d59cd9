namespace Donations.Api.Features.Receipts;

/// <summary>
/// Reads and records Stripe's settlement of one gift (its charge's balance transaction: the USD
/// amount and rate a payment in another currency came to), as the finance books keep it. Receipts
/// ask it before a foreign gift's original is issued, because the receipt's printed facts are fixed
/// then and would otherwise never carry the USD equivalent. Implemented by the finance feature (the
/// arrow points from there, so the features stay free of cycles). A Stripe failure is recorded for
/// the finance sweep to retry, not thrown: the receipt then goes out without the line.
/// </summary>
public interface IGiftSettlementReader
{
    /// <summary>True once the settlement is recorded; false if Stripe failed, was cancelled, or has not settled the charge yet.</summary>
    Task<bool> ReadAsync(long donationId, CancellationToken ct);
}
