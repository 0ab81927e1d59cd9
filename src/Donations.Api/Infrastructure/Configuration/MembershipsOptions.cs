namespace Donations.Api.Infrastructure.Configuration;

public sealed class MembershipsOptions
{
    public const string Section = "Memberships";
    public List<MembershipTier> Tiers { get; set; } = [];
    /// <summary>By calendar year ("2026"); missing years use the table in code.</summary>
    public Dictionary<string, InsubstantialBenefitLimitsOptions> InsubstantialBenefitLimits { get; set; } = [];
    /// <summary>
    /// US dollars per one unit of a currency (<c>eur: 1.16</c>, <c>jpy: 0.0067</c>), by lower-case ISO
    /// code: the rate the IRS tests on member benefits use for a payment in that currency when no
    /// recent Stripe settlement gives one. Required for every currency a tier names under
    /// <see cref="MembershipTier.Currencies"/>.
    /// </summary>
    public Dictionary<string, decimal> UsdRates { get; set; } = [];
    /// <summary>Days after a lapse (canceled or unpaid) to invite the member back, once; 0 turns the email off.</summary>
    public int WinBackAfterDays { get; set; }
    /// <summary>How many days before the next payment to warn that its card will have expired; 0 turns the reminder off.</summary>
    public int CardExpiryReminderDays { get; set; } = 10;
    /// <summary>Cron (UTC) of the daily job that sends card-expiry reminders and win-back emails.</summary>
    public string FollowUpCron { get; set; } = "0 15 * * *";
}

/// <summary>
/// One year's insubstantial-benefit limits (Rev. Proc. 90-12 as indexed), US dollars. Overrides
/// or adds to the table in code, e.g. when the IRS publishes a new year's figures.
/// </summary>
public sealed class InsubstantialBenefitLimitsOptions
{
    /// <summary>The most a token item (bearing the organisation's name or logo) may cost: $13.60 for 2025.</summary>
    public decimal LowCostArticle { get; set; }
    /// <summary>The dollar cap of the 2% test: $136 for 2025.</summary>
    public decimal BenefitCap { get; set; }
    /// <summary>The least payment for which token items are disregarded: $68 for 2025.</summary>
    public decimal MinimumPayment { get; set; }
}
