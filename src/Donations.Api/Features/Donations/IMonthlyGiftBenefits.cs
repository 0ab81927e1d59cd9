using Donations.Data.Entities;

namespace Donations.Api.Features.Donations;

/// <summary>
/// What a monthly gift of some size earns in return, and whether the IRS lets its value be
/// disregarded (<see cref="BenefitsTreatment"/>) or it is deducted on the receipt.
/// </summary>
public sealed record GiftBenefits(string Description, long Value, BenefitsTreatment Treatment = BenefitsTreatment.Deducted);

/// <summary>
/// Answers which benefits a monthly gift earns. Implemented by the feature that grants them
/// (memberships' tiers), so that donations need not know it.
/// </summary>
public interface IMonthlyGiftBenefits
{
    /// <param name="giftAmount">The gift without a covered fee: it chooses the tier.</param>
    /// <param name="payment">The whole payment, fee included: the IRS tests weigh the benefits against it.</param>
    /// <param name="paidAtUtc">When the donor paid: the year's limits apply.</param>
    /// <param name="paymentsPerYear">12 for a monthly gift, 1 for an annual one: the tier follows the monthly equivalent, the benefits cover the months paid for.</param>
    /// <remarks>May read the database (what a payment in another currency is worth in dollars): call it inside the ledger's unit of work.</remarks>
    Task<GiftBenefits?> ForAsync(long giftAmount, long payment, string currency, DateTime paidAtUtc, int paymentsPerYear, CancellationToken ct);

    /// <summary>
    /// Judges again the benefits a gift recorded (<paramref name="description"/>, valued at
    /// <paramref name="value"/> as recorded), once less remains given or the payment's tax year moved.
    /// Null when they cannot be judged again, and the judgement stands: no tier lists them any more,
    /// or no dollar rate is known for the currency.
    /// </summary>
    /// <param name="given">What remains given of the payment after refunds or a lost dispute.</param>
    Task<BenefitsTreatment?> RejudgeAsync(string description, long value, long payment, long given, string currency, DateTime paidAtUtc,
        int paymentsPerYear, CancellationToken ct);
}
