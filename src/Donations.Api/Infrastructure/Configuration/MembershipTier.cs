using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Infrastructure.Configuration;

public sealed class MembershipTier
{
    [Required(ErrorMessage = "Memberships:Tiers:n:Name is required.")]
    public string Name { get; set; } = "";
    public decimal MinimumMonthlyAmount { get; set; }
    public string Benefits { get; set; } = "";
    /// <summary>Good-faith fair market value of the benefits, per monthly payment, major units.</summary>
    public decimal BenefitsFairMarketValue { get; set; }
    /// <summary>
    /// What the benefits are, for the IRS: goods (a magazine, a print), token items (only low-cost
    /// articles bearing the organisation's name or logo: a mug, a tote bag, a calendar; Rev. Proc.
    /// 90-12's token-item test applies to them alone) or membership privileges (admission, discounts,
    /// members-only events: Treas. Reg. 1.170A-13(f)(8)(i)(B)).
    /// </summary>
    public TierBenefitsKind BenefitsKind { get; set; } = TierBenefitsKind.Goods;
    /// <summary>
    /// The tier in currencies other than the default, by lower-case ISO code
    /// (<c>Memberships:Tiers:n:Currencies:eur:MinimumMonthlyAmount</c>). A currency left out has no
    /// such tier: members paying in it do not reach it.
    /// </summary>
    public Dictionary<string, TierCurrencyOptions> Currencies { get; set; } = [];
}

public enum TierBenefitsKind { Goods, MembershipPrivileges, TokenItems }

/// <summary>One tier's limits in another currency, in that currency's major units (<c>jpy: 2000</c> is ¥2,000).</summary>
public sealed class TierCurrencyOptions
{
    /// <summary>Required: the least monthly gift in this currency that reaches the tier.</summary>
    public decimal? MinimumMonthlyAmount { get; set; }
    /// <summary>
    /// The benefits' good-faith fair market value per monthly payment in this currency. Required
    /// when the tier's own value is above zero; otherwise it defaults to zero.
    /// </summary>
    public decimal? BenefitsFairMarketValue { get; set; }
}
