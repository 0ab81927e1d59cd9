using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Features.Finance;

/// <summary>
/// <c>Finance:*</c>: the drift report's schedule and window, how often gifts are checked for
/// Stripe's fees, and the ledger accounts of the payout journal (names as the accounting system
/// spells them, so its import matches them).
/// </summary>
public sealed class FinanceOptions
{
    public const string Section = "Finance";

    [Required(ErrorMessage = "Finance:DriftCron is required (e.g. \"30 3 * * *\": every night at 03:30).")]
    public string DriftCron { get; set; } = "30 3 * * *";

    /// <summary>How far back the drift report walks Stripe's charges, invoices and payouts.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "1100.00:00:00", ErrorMessage = "Finance:DriftWindow must be between 1 and 1100 days.")]
    public TimeSpan DriftWindow { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Payments younger than this are left out of the drift report: their webhooks may still be on the way.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "2.00:00:00", ErrorMessage = "Finance:DriftSettleTime must be between 0 and 2 days.")]
    public TimeSpan DriftSettleTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often gifts without Stripe's fee and net (or changed since) are looked up.</summary>
    [Required(ErrorMessage = "Finance:SettlementCron is required (e.g. \"* * * * *\").")]
    public string SettlementCron { get; set; } = "* * * * *";

    /// <summary>How often the revenue page's daily totals are brought up to date (the page also does it before it is drawn).</summary>
    [Required(ErrorMessage = "Finance:RevenueRollupCron is required (e.g. \"*/5 * * * *\").")]
    public string RevenueRollupCron { get; set; } = "*/5 * * * *";

    public FinanceAccounts Accounts { get; set; } = new();
}

/// <summary>
/// <c>Finance:Accounts:*</c>: the chart-of-accounts names each journal line is booked to, spelled
/// exactly as in the accounting system (its import matches accounts by name).
/// </summary>
public sealed class FinanceAccounts
{
    public string Bank { get; set; } = "Checking";
    public string DonationsRevenue { get; set; } = "Donations Revenue";
    public string StripeFees { get; set; } = "Payment Processing Fees";
    public string Refunds { get; set; } = "Donation Refunds";
    public string Disputes { get; set; } = "Donation Chargebacks";
    /// <summary>Money in a payout that is no gift (other sales on the account, adjustments).</summary>
    public string Unmatched { get; set; } = "Stripe Other Activity";

    public IEnumerable<(string Key, string Value)> All() =>
    [
        (nameof(Bank), Bank), (nameof(DonationsRevenue), DonationsRevenue), (nameof(StripeFees), StripeFees),
        (nameof(Refunds), Refunds), (nameof(Disputes), Disputes), (nameof(Unmatched), Unmatched),
    ];
}
