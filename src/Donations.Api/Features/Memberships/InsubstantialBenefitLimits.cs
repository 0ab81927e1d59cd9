using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// The yearly limits under which the IRS lets a charity disregard benefits (Rev. Proc. 90-12,
/// 1990-1 C.B. 471, and Rev. Proc. 92-49, 1992-1 C.B. 987, indexed for inflation each year under
/// section 513(h)(2)). Configuration (<c>Memberships:InsubstantialBenefitLimits:&lt;year&gt;</c>)
/// overrides or adds years; a year in neither uses the latest earlier year's figures, and a year
/// before every one of them has none: its benefits are not disregarded as insubstantial, rather
/// than judged by later, higher limits.
/// </summary>
public sealed class InsubstantialBenefitLimits(IOptionsMonitor<MembershipsOptions> options)
{
    /// <summary>US dollars, in cents.</summary>
    public sealed record Limits(int Year, long LowCostArticle, long BenefitCap, long MinimumPayment);

    // Rev. Proc. 2022-38 (for 2023), Rev. Proc. 2023-34 (for 2024), Rev. Proc. 2024-40 (for 2025) and Rev. Proc. 2025-32 (for
    // 2026), each in its section on "low-cost articles" and on the section 170 insubstantial-benefit
    // limits. A later year uses 2026's until its figures are published here or configured.
    private static readonly Limits[] Published =
    [
        new(2023, LowCostArticle: 12_50, BenefitCap: 125_00, MinimumPayment: 62_50),
        new(2024, LowCostArticle: 13_20, BenefitCap: 132_00, MinimumPayment: 66_00),
        new(2025, LowCostArticle: 13_60, BenefitCap: 136_00, MinimumPayment: 68_00),
        new(2026, LowCostArticle: 13_90, BenefitCap: 139_00, MinimumPayment: 69_50),
    ];

    public Limits? For(int year)
    {
        var configured = options.CurrentValue.InsubstantialBenefitLimits
            .Select(kv => (Year: int.Parse(kv.Key, System.Globalization.CultureInfo.InvariantCulture), kv.Value))
            .Select(c => new Limits(c.Year, Cents(c.Value.LowCostArticle), Cents(c.Value.BenefitCap), Cents(c.Value.MinimumPayment)));
        var table = Published.Where(p => configured.All(c => c.Year != p.Year)).Concat(configured).OrderBy(l => l.Year).ToList();
        return table.LastOrDefault(l => l.Year <= year);
    }

    private static long Cents(decimal dollars) => Infrastructure.Money.ToMinor(dollars, "usd");
}
