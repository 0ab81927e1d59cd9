using Donations.Api.Infrastructure.Configuration;
using Donations.Data.Entities;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Whether the benefits received for one payment reduce its deductible amount, per IRS
/// Publication 1771: a charity may disregard insubstantial benefits (Rev. Proc. 90-12) and, for
/// payments of $75 a year or less, membership privileges (Treas. Reg. 1.170A-13(f)(8)(i)(B)).
/// </summary>
public static class BenefitRules
{
    /// <summary>The regulation's limit on the yearly payment for the membership-privileges exception, in cents (not indexed).</summary>
    public const long MembershipPrivilegesYearlyLimit = 75_00;

    /// <param name="payment">The whole payment, covered fee included: it is all contribution.</param>
    /// <param name="benefitsValue">Fair market value of the benefits for this payment.</param>
    /// <param name="paymentsPerYear">12 for monthly payments: the exception looks at the yearly amount.</param>
    /// <param name="currency">The limits are in US dollars; other currencies keep the value deducted.</param>
    public static BenefitsTreatment Classify(long payment, long benefitsValue, TierBenefitsKind kind, int paymentsPerYear,
        string currency, InsubstantialBenefitLimits.Limits limits)
    {
        if (benefitsValue <= 0 || !string.Equals(currency, "usd", StringComparison.OrdinalIgnoreCase)) return BenefitsTreatment.Deducted;
        if (kind == TierBenefitsKind.MembershipPrivileges && payment * paymentsPerYear <= MembershipPrivilegesYearlyLimit)
            return BenefitsTreatment.MembershipPrivileges;
        // 2% test: the benefits are worth no more than 2% of the payment and no more than the cap.
        if (benefitsValue * 50 <= payment && benefitsValue <= limits.BenefitCap) return BenefitsTreatment.Insubstantial;
        // Token-item test: low-cost articles bearing the organisation's name or logo, for a large enough payment.
        if (kind == TierBenefitsKind.Goods && payment >= limits.MinimumPayment && benefitsValue <= limits.LowCostArticle)
            return BenefitsTreatment.Insubstantial;
        return BenefitsTreatment.Deducted;
    }
}
