using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data.Entities;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// What a recurring payment earns (its tier's benefits, in the payment's currency) and whether the
/// IRS lets their value be disregarded. The tests are in US dollars: a payment in another currency
/// and its benefits are both taken at one rate (<see cref="PaymentUsdRates"/>); with no rate known
/// the value is deducted.
/// </summary>
public sealed class MemberBenefits(
    MembershipTiers tiers, InsubstantialBenefitLimits limits, PaymentUsdRates rates, IOptionsMonitor<OrganizationOptions> organization,
    ILogger<MemberBenefits> log) : IMonthlyGiftBenefits
{
    public async Task<GiftBenefits?> ForAsync(long giftAmount, long payment, string currency, DateTime paidAtUtc, int paymentsPerYear,
        CancellationToken ct)
    {
        var monthsPaid = 12 / Math.Clamp(paymentsPerYear, 1, 12);
        if (tiers.For(giftAmount / monthsPaid, currency) is not { Benefits: { } benefits } tier) return null;
        // The configured value is per month of membership: an annual payment buys twelve of them.
        var value = Math.Min(tier.BenefitsValue * monthsPaid, giftAmount);
        if (value <= 0) return new GiftBenefits(benefits, 0);
        if (await rates.ForAsync(currency, paidAtUtc, ct) is not { } rate)
            return new GiftBenefits(benefits, value);

        var year = Infrastructure.Dates.Local(paidAtUtc, organization.CurrentValue.GetTimeZone()).Year;
        var treatment = BenefitRules.Classify(payment, value, rate.ToUsd, tier.BenefitsKind, paymentsPerYear, limits.For(year));
        if (rate.Source != "usd")
            log.LogInformation("Member benefits of a {Currency} payment judged at the {Source} rate of {CentsPerMinorUnit} US cents per minor unit: {Treatment}",
                currency, rate.Source, rate.CentsPerMinorUnit, treatment);
        return new GiftBenefits(benefits, value, treatment);
    }

    public async Task<BenefitsTreatment?> RejudgeAsync(string description, long value, long payment, long given, string currency,
        DateTime paidAtUtc, int paymentsPerYear, CancellationToken ct)
    {
        // The kind from the tier that lists these benefits today; the value as recorded, not today's.
        if (tiers.KindOf(description) is not { } kind || value <= 0) return null;
        if (await rates.ForAsync(currency, paidAtUtc, ct) is not { } rate) return null;
        var year = Infrastructure.Dates.Local(paidAtUtc, organization.CurrentValue.GetTimeZone()).Year;
        return BenefitRules.Classify(payment, value, rate.ToUsd, kind, paymentsPerYear, limits.For(year), given);
    }
}
