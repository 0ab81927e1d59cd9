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

    /// <param name="paymentUsd">The whole payment in US cents, covered fee included: it is all contribution.</param>
    /// <param name="benefitsValueUsd">Fair market value of the benefits for this payment, in US cents at the payment's rate.</param>
    /// <param name="paymentsPerYear">12 for monthly payments: the exception looks at the yearly amount.</param>
    /// <remarks>The limits are in US dollars: a payment in another currency is converted, with its benefits, before it is judged.</remarks>
    public static BenefitsTreatment Classify(long paymentUsd, long benefitsValueUsd, TierBenefitsKind kind, int paymentsPerYear,
        InsubstantialBenefitLimits.Limits limits)
    {
        if (benefitsValueUsd <= 0) return BenefitsTreatment.Deducted;
        if (kind == TierBenefitsKind.MembershipPrivileges && paymentUsd * paymentsPerYear <= MembershipPrivilegesYearlyLimit)
            return BenefitsTreatment.MembershipPrivileges;
        // 2% test: the benefits are worth no more than 2% of the payment and no more than the cap.
        if (benefitsValueUsd * 50 <= paymentUsd && benefitsValueUsd <= limits.BenefitCap) return BenefitsTreatment.Insubstantial;
        // Token-item test: low-cost articles bearing the organisation's name or logo, for a large enough payment.
        if (kind == TierBenefitsKind.Goods && paymentUsd >= limits.MinimumPayment && benefitsValueUsd <= limits.LowCostArticle)
            return BenefitsTreatment.Insubstantial;
        return BenefitsTreatment.Deducted;
    }
}
