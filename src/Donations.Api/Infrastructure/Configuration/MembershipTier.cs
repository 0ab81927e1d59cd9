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
    /// What the benefits are, for the IRS: goods (a magazine, a tote bag) or membership privileges
    /// (admission, discounts, members-only events: Treas. Reg. 1.170A-13(f)(8)(i)(B)).
    /// </summary>
    public TierBenefitsKind BenefitsKind { get; set; } = TierBenefitsKind.Goods;
}

public enum TierBenefitsKind { Goods, MembershipPrivileges }
