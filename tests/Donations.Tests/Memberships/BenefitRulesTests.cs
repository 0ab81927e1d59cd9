using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data.Entities;
using Microsoft.Extensions.Options;

namespace Donations.Tests.Memberships;

/// <summary>The per-payment IRS tests for member benefits and the yearly limits they use.</summary>
public sealed class BenefitRulesTests
{
    private static InsubstantialBenefitLimits Limits(Dictionary<string, InsubstantialBenefitLimitsOptions>? configured = null) =>
        new(new StaticMonitor(new MembershipsOptions { InsubstantialBenefitLimits = configured ?? [] }));

    private static BenefitsTreatment Classify(long payment, long value, TierBenefitsKind kind, int year) =>
        BenefitRules.Classify(payment, value, kind, paymentsPerYear: 12, Limits().For(year));

    [Fact]
    public void Published_limits_are_those_of_Rev_Proc_90_12_as_indexed_for_2024_2025_and_2026()
    {
        Assert.Equal(new InsubstantialBenefitLimits.Limits(2024, 13_20, 132_00, 66_00), Limits().For(2024));
        Assert.Equal(new InsubstantialBenefitLimits.Limits(2025, 13_60, 136_00, 68_00), Limits().For(2025));
        Assert.Equal(new InsubstantialBenefitLimits.Limits(2026, 13_90, 139_00, 69_50), Limits().For(2026));
    }

    [Fact]
    public void A_year_without_published_or_configured_limits_uses_the_latest_earlier_year()
    {
        Assert.Equal(2026, Limits().For(2027).Year);
    }

    [Fact]
    public void Configured_limits_override_and_add_years()
    {
        var limits = Limits(new()
        {
            ["2026"] = new() { LowCostArticle = 14.00m, BenefitCap = 140m, MinimumPayment = 70m },
            ["2027"] = new() { LowCostArticle = 14.20m, BenefitCap = 142m, MinimumPayment = 71m },
        });

        Assert.Equal(new InsubstantialBenefitLimits.Limits(2026, 14_00, 140_00, 70_00), limits.For(2026));
        Assert.Equal(new InsubstantialBenefitLimits.Limits(2027, 14_20, 142_00, 71_00), limits.For(2028));
        Assert.Equal(13_60, limits.For(2025).LowCostArticle);
    }

    [Theory]
    [InlineData(30000, 500, BenefitsTreatment.Insubstantial)]  // $5 is within 2% of $300
    [InlineData(90000, 1800, BenefitsTreatment.Insubstantial)] // $18 is 2% of $900 exactly
    [InlineData(89999, 1800, BenefitsTreatment.Deducted)]      // a cent less, and $18 is no token item
    [InlineData(10000, 2000, BenefitsTreatment.Deducted)]      // $20 of goods on $100: deducted
    [InlineData(2500000, 14000, BenefitsTreatment.Deducted)]   // within 2% but over the $136 cap
    [InlineData(6800, 1360, BenefitsTreatment.Insubstantial)]  // token item at the 2025 limits exactly
    [InlineData(6799, 1360, BenefitsTreatment.Deducted)]       // payment a cent short of $68
    [InlineData(6800, 1361, BenefitsTreatment.Deducted)]       // item a cent over $13.60
    public void Goods_pass_the_two_percent_or_token_item_test_or_are_deducted_in_2025(long payment, long value, BenefitsTreatment expected)
    {
        Assert.Equal(expected, Classify(payment, value, TierBenefitsKind.Goods, 2025));
    }

    [Fact]
    public void The_token_item_limits_follow_the_year_of_the_payment()
    {
        // A $13.50 item for $70: over 2024's $13.20 low-cost article, within 2025's $13.60.
        Assert.Equal(BenefitsTreatment.Deducted, Classify(7000, 1350, TierBenefitsKind.Goods, 2024));
        Assert.Equal(BenefitsTreatment.Insubstantial, Classify(7000, 1350, TierBenefitsKind.Goods, 2025));
    }

    [Theory]
    [InlineData(600, BenefitsTreatment.MembershipPrivileges)]  // $72 a year
    [InlineData(625, BenefitsTreatment.MembershipPrivileges)]  // $75 a year exactly
    [InlineData(626, BenefitsTreatment.Deducted)]              // $75.12 a year
    public void Membership_privileges_are_disregarded_for_payments_of_75_dollars_a_year_or_less(long monthly, BenefitsTreatment expected)
    {
        Assert.Equal(expected, Classify(monthly, 300, TierBenefitsKind.MembershipPrivileges, 2025));
    }

    [Fact]
    public void Goods_get_no_membership_exception_and_privileges_no_token_item_test()
    {
        Assert.Equal(BenefitsTreatment.Deducted, Classify(600, 300, TierBenefitsKind.Goods, 2025));
        Assert.Equal(BenefitsTreatment.Deducted, Classify(6800, 1000, TierBenefitsKind.MembershipPrivileges, 2025));
    }

    [Theory]
    [InlineData("eur", "1.16", 1500, 1740)]   // €15.00 at $1.16
    [InlineData("jpy", "0.0067", 2000, 1340)] // ¥2,000 at $0.0067: yen have no minor unit
    [InlineData("jpy", "0.0067", 75, 50)]     // ¥75 is 50.25 cents: rounded as money is
    [InlineData("kwd", "3.25", 1500, 488)]    // 1.500 KWD (thousandths) is $4.875
    public void A_configured_dollar_rate_converts_a_payment_in_minor_units_to_cents(string currency, string dollars, long minor, long cents)
    {
        var rate = PaymentUsdRates.UsdRate.Configured(decimal.Parse(dollars, System.Globalization.CultureInfo.InvariantCulture), currency);

        Assert.Equal(cents, rate.ToUsd(minor));
    }

    private sealed class StaticMonitor(MembershipsOptions value) : IOptionsMonitor<MembershipsOptions>
    {
        public MembershipsOptions CurrentValue => value;
        public MembershipsOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<MembershipsOptions, string?> listener) => null;
    }
}
