using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Memberships:Tiers, in minor units. Tier thresholds and benefit values are configured in the
/// default currency, so gifts in another currency get no tier (and no benefits to deduct).
/// A monthly gift earns its tier's benefits.
/// </summary>
public sealed class MembershipTiers(IOptionsMonitor<MembershipsOptions> memberships, IOptionsMonitor<DonationsOptions> donations,
    InsubstantialBenefitLimits limits, IOptionsMonitor<OrganizationOptions> organization)
    : IMonthlyGiftBenefits
{
    public sealed record Tier(string Name, string? Benefits, long BenefitsValue, TierBenefitsKind BenefitsKind);

    /// <summary>The highest tier whose minimum the monthly amount reaches, if any. Pass the gift without a covered fee.</summary>
    public Tier? For(long monthlyAmount, string currency)
    {
        currency = currency.ToLowerInvariant();
        if (currency != donations.CurrentValue.DefaultCurrency) return null;
        var tier = memberships.CurrentValue.Tiers
            .Where(t => ToMinor(t.MinimumMonthlyAmount, currency) <= monthlyAmount)
            .OrderByDescending(t => t.MinimumMonthlyAmount)
            .FirstOrDefault();
        return tier is null ? null
            : new Tier(tier.Name, string.IsNullOrWhiteSpace(tier.Benefits) ? null : tier.Benefits,
                Math.Min(ToMinor(tier.BenefitsFairMarketValue, currency), monthlyAmount), tier.BenefitsKind);
    }

    GiftBenefits? IMonthlyGiftBenefits.For(long giftAmount, long payment, string currency, DateTime paidAtUtc, int paymentsPerYear)
    {
        var monthsPaid = 12 / Math.Clamp(paymentsPerYear, 1, 12);
        if (For(giftAmount / monthsPaid, currency) is not { Benefits: { } benefits } tier) return null;
        // The configured value is per month of membership: an annual payment buys twelve of them.
        var value = Math.Min(tier.BenefitsValue * monthsPaid, giftAmount);
        var year = Infrastructure.Dates.Local(paidAtUtc, organization.CurrentValue.GetTimeZone()).Year;
        return new GiftBenefits(benefits, value,
            BenefitRules.Classify(payment, value, tier.BenefitsKind, paymentsPerYear, currency, limits.For(year)));
    }

    /// <summary>What a payment every <paramref name="interval"/> is worth a month: tiers compare on it.</summary>
    public static long MonthlyEquivalent(long payment, string? interval) => interval == "year" ? payment / 12 : payment;

    public static long ToMinor(decimal major, string currency) =>
        Infrastructure.Money.ToMinor(major, currency);
}
