using Donations.Api.Infrastructure.Configuration;
using Donations.Data.Entities;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Whether the benefits received for a payment reduce its deductible amount, per IRS Publication
/// 1771: a charity may disregard insubstantial benefits (Rev. Proc. 90-12, 92-49) and, for payments
/// of $75 a year or less, membership privileges (Treas. Reg. 1.170A-13(f)(8)(i)(B)).
/// <list type="bullet">
/// <item>The benefits' dollar limits (the 2% test's cap, the low-cost article) take the year's
/// benefits: twelve months of them for a monthly member. A $600 monthly gift with $12 of goods a
/// month is 2% of each payment, but $144 of goods a year is over 2026's $139 cap.</item>
/// <item>The payment's limits take the payment as made: the token-item minimum is a payment's, and
/// only the membership exception, written "per year", takes the year's payments.</item>
/// <item>The 2% ratio is taken on what remains given (a partial refund leaves less for the same
/// benefits), in the payment's own currency, before any rounding into dollars.</item>
/// </list>
/// </summary>
public static class BenefitRules
{
    /// <summary>The regulation's limit on the yearly payment for the membership-privileges exception, in cents (not indexed).</summary>
    public const long MembershipPrivilegesYearlyLimit = 75_00;

    /// <summary>A payment in US dollars, all of it still given.</summary>
    public static BenefitsTreatment Classify(long paymentUsd, long benefitsValueUsd, TierBenefitsKind kind, int paymentsPerYear,
        InsubstantialBenefitLimits.Limits? limits) =>
        Classify(paymentUsd, benefitsValueUsd, usd => usd, kind, paymentsPerYear, limits);

    /// <param name="payment">One payment as made, in its currency's minor units, covered fee included: it is all contribution.</param>
    /// <param name="benefitsValue">Fair market value of the benefits for this payment, in the same currency.</param>
    /// <param name="toUsd">The payment's currency in US cents, at the payment's rate (the limits are in dollars).</param>
    /// <param name="paymentsPerYear">12 for monthly payments, 1 for annual ones.</param>
    /// <param name="limits">The year's insubstantial-benefit limits; null for a year before any known, when only the membership exception (not indexed) can apply.</param>
    /// <param name="given">What remains given after refunds or a lost dispute; the whole payment when null.</param>
    public static BenefitsTreatment Classify(long payment, long benefitsValue, Func<long, long> toUsd, TierBenefitsKind kind,
        int paymentsPerYear, InsubstantialBenefitLimits.Limits? limits, long? given = null)
    {
        if (benefitsValue <= 0) return BenefitsTreatment.Deducted;
        var perYear = Math.Max(paymentsPerYear, 1);
        var yearlyBenefitsUsd = toUsd(benefitsValue * perYear);
        if (kind == TierBenefitsKind.MembershipPrivileges && toUsd(payment * perYear) <= MembershipPrivilegesYearlyLimit)
            return BenefitsTreatment.MembershipPrivileges;
        if (limits is null) return BenefitsTreatment.Deducted;
        // 2% test: the benefits are worth no more than 2% of what is given, and the year's no more than the cap.
        if (benefitsValue * 50 <= (given ?? payment) && yearlyBenefitsUsd <= limits.BenefitCap) return BenefitsTreatment.Insubstantial;
        // Token-item test: only low-cost articles bearing the organisation's name or logo (mugs, tote
        // bags, calendars), costing no more than the low-cost article limit a year, for a payment of
        // at least the minimum.
        if (kind == TierBenefitsKind.TokenItems && toUsd(payment) >= limits.MinimumPayment && yearlyBenefitsUsd <= limits.LowCostArticle)
            return BenefitsTreatment.Insubstantial;
        return BenefitsTreatment.Deducted;
    }
}
