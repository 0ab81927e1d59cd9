using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Memberships:Tiers, in minor units. A tier's minimum and benefit value are configured in the
/// default currency and, optionally, per other currency (<c>Memberships:Tiers:n:Currencies:&lt;code&gt;</c>);
/// a gift in a currency the tier does not name does not reach it, so a currency no tier names gets
/// no tier (and no benefits to deduct). A monthly gift earns its tier's benefits.
/// </summary>
public sealed class MembershipTiers(IOptionsMonitor<MembershipsOptions> memberships, IOptionsMonitor<DonationsOptions> donations)
{
    /// <param name="BenefitsValue">Per monthly payment, in minor units of the currency asked about.</param>
    public sealed record Tier(string Name, string? Benefits, long BenefitsValue, TierBenefitsKind BenefitsKind);

    /// <summary>The highest tier whose minimum in this currency the monthly amount reaches, if any. Pass the gift without a covered fee.</summary>
    public Tier? For(long monthlyAmount, string currency)
    {
        currency = currency.ToLowerInvariant();
        var isDefault = currency == donations.CurrentValue.DefaultCurrency;
        var reached = memberships.CurrentValue.Tiers
            .Select(t => (Tier: t, Limits: LimitsIn(t, currency, isDefault)))
            .Where(x => x.Limits is { } l && l.Minimum <= monthlyAmount)
            .OrderByDescending(x => x.Limits!.Value.Minimum)
            .FirstOrDefault();
        if (reached.Limits is not { } limits) return null;
        var tier = reached.Tier;
        return new Tier(tier.Name, string.IsNullOrWhiteSpace(tier.Benefits) ? null : tier.Benefits,
            Math.Min(limits.Value, monthlyAmount), tier.BenefitsKind);
    }

    /// <summary>The tier's minimum and benefit value in <paramref name="currency"/>; null when it is not set in that currency.</summary>
    private static (long Minimum, long Value)? LimitsIn(MembershipTier tier, string currency, bool isDefault)
    {
        if (isDefault) return (ToMinor(tier.MinimumMonthlyAmount, currency), ToMinor(tier.BenefitsFairMarketValue, currency));
        return tier.Currencies.TryGetValue(currency, out var limits) && limits.MinimumMonthlyAmount is { } minimum
            ? (ToMinor(minimum, currency), ToMinor(limits.BenefitsFairMarketValue ?? 0, currency))
            : null;
    }

    /// <summary>The kind of the benefits a tier lists as <paramref name="benefits"/> today; null when no tier lists them.</summary>
    public TierBenefitsKind? KindOf(string benefits) =>
        memberships.CurrentValue.Tiers.FirstOrDefault(t => string.Equals(t.Benefits.Trim(), benefits.Trim(), StringComparison.Ordinal))?.BenefitsKind;

    /// <summary>What a payment every <paramref name="interval"/> is worth a month: tiers compare on it.</summary>
    public static long MonthlyEquivalent(long payment, string? interval) => interval == "year" ? payment / 12 : payment;

    public static long ToMinor(decimal major, string currency) =>
        Infrastructure.Money.ToMinor(major, currency);
}
