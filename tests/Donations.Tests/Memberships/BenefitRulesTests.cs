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

    private static BenefitsTreatment Annual(long payment, long value, TierBenefitsKind kind, int year) =>
        BenefitRules.Classify(payment, value, kind, paymentsPerYear: 1, Limits().For(year));

    private static BenefitsTreatment Monthly(long payment, long value, TierBenefitsKind kind, int year) =>
        BenefitRules.Classify(payment, value, kind, paymentsPerYear: 12, Limits().For(year));

    [Fact]
    public void Published_limits_are_those_of_Rev_Proc_90_12_as_indexed_for_2023_to_2026()
    {
        Assert.Equal(new InsubstantialBenefitLimits.Limits(2023, 12_50, 125_00, 62_50), Limits().For(2023));
        Assert.Equal(new InsubstantialBenefitLimits.Limits(2024, 13_20, 132_00, 66_00), Limits().For(2024));
        Assert.Equal(new InsubstantialBenefitLimits.Limits(2025, 13_60, 136_00, 68_00), Limits().For(2025));
        Assert.Equal(new InsubstantialBenefitLimits.Limits(2026, 13_90, 139_00, 69_50), Limits().For(2026));
    }

    [Fact]
    public void A_year_without_published_or_configured_limits_uses_the_latest_earlier_year()
    {
        Assert.Equal(2026, Limits().For(2027)!.Year);
    }

    [Fact]
    public void A_year_before_any_known_limits_disregards_no_benefits_as_insubstantial_unless_its_limits_are_configured()
    {
        // $5 within 2% of $300, in 2022: its figures are not published here, and 2023's are higher.
        Assert.Null(Limits().For(2022));
        Assert.Equal(BenefitsTreatment.Deducted, BenefitRules.Classify(30000, 500, TierBenefitsKind.Goods, 1, Limits().For(2022)));
        Assert.Equal(BenefitsTreatment.MembershipPrivileges, BenefitRules.Classify(600, 300, TierBenefitsKind.MembershipPrivileges, 12, Limits().For(2022)));
        var configured = Limits(new() { ["2022"] = new() { LowCostArticle = 11.70m, BenefitCap = 117m, MinimumPayment = 58.50m } });
        Assert.Equal(BenefitsTreatment.Insubstantial, BenefitRules.Classify(30000, 500, TierBenefitsKind.Goods, 1, configured.For(2022)));
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
        Assert.Equal(13_60, limits.For(2025)!.LowCostArticle);
    }

    [Theory]
    [InlineData(30000, 500, BenefitsTreatment.Insubstantial)]  // $5 is within 2% of $300
    [InlineData(90000, 1800, BenefitsTreatment.Insubstantial)] // $18 is 2% of $900 exactly
    [InlineData(89999, 1800, BenefitsTreatment.Deducted)]      // a cent less
    [InlineData(10000, 2000, BenefitsTreatment.Deducted)]      // $20 of goods on $100: deducted
    [InlineData(2500000, 14000, BenefitsTreatment.Deducted)]   // within 2% but over the $136 cap
    [InlineData(6800, 1360, BenefitsTreatment.Deducted)]       // goods get no token-item test
    public void Goods_of_an_annual_payment_pass_the_two_percent_test_or_are_deducted_in_2025(long payment, long value, BenefitsTreatment expected)
    {
        Assert.Equal(expected, Annual(payment, value, TierBenefitsKind.Goods, 2025));
    }

    [Theory]
    [InlineData(6800, 1360, BenefitsTreatment.Insubstantial)]  // token items at the 2025 limits exactly
    [InlineData(6799, 1360, BenefitsTreatment.Deducted)]       // payment a cent short of $68
    [InlineData(6800, 1361, BenefitsTreatment.Deducted)]       // items a cent over $13.60
    [InlineData(30000, 500, BenefitsTreatment.Insubstantial)]  // and the 2% test still applies to them
    public void Token_items_of_an_annual_payment_pass_the_token_item_test_in_2025(long payment, long value, BenefitsTreatment expected)
    {
        Assert.Equal(expected, Annual(payment, value, TierBenefitsKind.TokenItems, 2025));
    }

    [Fact]
    public void The_token_item_limits_follow_the_year_of_the_payment()
    {
        // $13.50 of token items for $70: over 2024's $13.20 low-cost article, within 2025's $13.60.
        Assert.Equal(BenefitsTreatment.Deducted, Annual(7000, 1350, TierBenefitsKind.TokenItems, 2024));
        Assert.Equal(BenefitsTreatment.Insubstantial, Annual(7000, 1350, TierBenefitsKind.TokenItems, 2025));
    }

    [Theory]
    [InlineData(60000, 1200, BenefitsTreatment.Deducted)]      // 2% of each payment, but $144 a year is over 2026's $139
    [InlineData(50000, 1000, BenefitsTreatment.Insubstantial)] // $120 a year
    [InlineData(69500, 1158, BenefitsTreatment.Insubstantial)] // $138.96 a year
    [InlineData(69500, 1159, BenefitsTreatment.Deducted)]      // $139.08 a year
    public void A_monthly_members_goods_are_held_to_the_cap_over_the_year_of_payments(long monthly, long value, BenefitsTreatment expected)
    {
        Assert.Equal(expected, Monthly(monthly, value, TierBenefitsKind.Goods, 2026));
    }

    [Fact]
    public void Token_items_need_a_payment_of_the_minimum_however_many_payments_a_year_bring()
    {
        // $6 a month is $72 a year, but no payment reaches 2026's $69.50: its $12 of mugs a year count.
        Assert.Equal(BenefitsTreatment.Deducted, Monthly(600, 100, TierBenefitsKind.TokenItems, 2026));
        // One $69.50 payment a year with $13.20 of mugs; and with $13.92, over the $13.90 article limit.
        Assert.Equal(BenefitsTreatment.Insubstantial, Annual(6950, 1320, TierBenefitsKind.TokenItems, 2026));
        Assert.Equal(BenefitsTreatment.Deducted, Annual(6950, 1392, TierBenefitsKind.TokenItems, 2026));
    }

    [Fact]
    public void After_a_refund_the_2_percent_ratio_takes_what_is_left_and_the_yearly_tests_the_payments_as_made()
    {
        var limits = Limits().For(2026);
        // $5 is 2% of $250 but not of the $200 left after a $100 refund.
        Assert.Equal(BenefitsTreatment.Insubstantial, BenefitRules.Classify(30000, 500, usd => usd, TierBenefitsKind.Goods, 1, limits, given: 25000));
        Assert.Equal(BenefitsTreatment.Deducted, BenefitRules.Classify(30000, 500, usd => usd, TierBenefitsKind.Goods, 1, limits, given: 20000));
        // $10 a month with $3 of privileges is $120 a year: a $5 refund of one payment does not make it $60.
        Assert.Equal(BenefitsTreatment.Deducted, BenefitRules.Classify(1000, 300, usd => usd, TierBenefitsKind.MembershipPrivileges, 12, limits, given: 500));
    }

    [Theory]
    [InlineData(600, BenefitsTreatment.MembershipPrivileges)]  // $72 a year
    [InlineData(625, BenefitsTreatment.MembershipPrivileges)]  // $75 a year exactly
    [InlineData(626, BenefitsTreatment.Deducted)]              // $75.12 a year
    public void Membership_privileges_are_disregarded_for_payments_of_75_dollars_a_year_or_less(long monthly, BenefitsTreatment expected)
    {
        Assert.Equal(expected, Monthly(monthly, 300, TierBenefitsKind.MembershipPrivileges, 2025));
    }

    [Fact]
    public void Benefits_worth_nothing_are_never_called_insubstantial_and_a_cap_reached_exactly_is_within_it()
    {
        // Nothing to disregard: the receipt says their value is nothing, not that it is insubstantial.
        Assert.Equal(BenefitsTreatment.Deducted, Annual(100000, 0, TierBenefitsKind.Goods, 2026));
        // $139 of goods on $6,950: 2% and 2026's cap, both exactly.
        Assert.Equal(BenefitsTreatment.Insubstantial, Annual(695000, 13900, TierBenefitsKind.Goods, 2026));
        Assert.Equal(BenefitsTreatment.Deducted, Annual(695050, 13901, TierBenefitsKind.Goods, 2026));
    }

    [Fact]
    public void Only_privileges_get_the_membership_exception_and_only_token_items_the_token_item_test()
    {
        Assert.Equal(BenefitsTreatment.Deducted, Monthly(600, 300, TierBenefitsKind.Goods, 2025));
        Assert.Equal(BenefitsTreatment.Deducted, Monthly(600, 300, TierBenefitsKind.TokenItems, 2025));
        Assert.Equal(BenefitsTreatment.Deducted, Annual(8000, 1000, TierBenefitsKind.MembershipPrivileges, 2025));
        Assert.Equal(BenefitsTreatment.Deducted, Annual(8000, 1000, TierBenefitsKind.Goods, 2025));
        Assert.Equal(BenefitsTreatment.Insubstantial, Annual(8000, 1000, TierBenefitsKind.TokenItems, 2025));
    }

    [Fact]
    public void The_two_percent_ratio_is_taken_in_the_payments_currency_before_rounding_to_cents()
    {
        // ¥1 of benefits on ¥50 is 2% exactly; at $0.0067 a yen they are 1 cent on 34 (33.5 rounded).
        var rate = PaymentUsdRates.UsdRate.Configured(0.0067m, "jpy");

        Assert.Equal(BenefitsTreatment.Insubstantial,
            BenefitRules.Classify(50, 1, rate.ToUsd, TierBenefitsKind.Goods, paymentsPerYear: 1, Limits().For(2026)));
        Assert.Equal(BenefitsTreatment.Deducted,
            BenefitRules.Classify(50, 2, rate.ToUsd, TierBenefitsKind.Goods, paymentsPerYear: 1, Limits().For(2026)));
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
