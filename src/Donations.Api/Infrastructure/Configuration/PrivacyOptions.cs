namespace Donations.Api.Infrastructure.Configuration;

public sealed class PrivacyOptions
{
    public const string Section = "Privacy";
    /// <summary>Years an erased donor's gifts, receipt numbers and amounts are kept after their last gift, for the tax records.</summary>
    public int RetentionYears { get; set; } = 7;
    /// <summary>Cron (UTC) of the daily jobs that remove erased donors' records once retention has run out, and scrub the last days' Stripe events about them (<c>ScrubLateEvents</c>).</summary>
    public string PurgeCron { get; set; } = "30 4 * * *";
}
