using System.Security.Claims;
using Donations.Api.Infrastructure;
using Donations.Data;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Staff;

/// <summary>GET /api/finance/members.csv — every monthly gift (Stripe subscription), oldest first, any status.</summary>
internal static class MembersExport
{
    public static readonly string[] Columns =
    [
        "email", "name", "tier", "monthly_amount", "currency", "status", "since", "current_period_end", "stripe_subscription",
        // Appended, so that scripts reading the columns above by position keep working.
        "interval", "paused_until", "benefits_declined", "cancel_reason",
    ];

    public static CsvResult Export(HttpContext http, DonationsDbContext db, ILoggerFactory logs)
    {
        var rows = db.Memberships.AsNoTracking()
            .OrderBy(m => m.StartedAt).ThenBy(m => m.Id)
            .Select(m => new
            {
                m.Donor!.Email, m.Donor.Name, m.Tier, m.MonthlyAmount, m.Currency, m.Status, m.StartedAt,
                m.CurrentPeriodEnd, m.StripeSubscriptionId, m.Interval, m.Paused, m.PausedUntil, m.BenefitsDeclined, m.CancellationReason,
            })
            .AsAsyncEnumerable();

        logs.CreateLogger(typeof(MembersExport)).LogInformation("Staff {StaffId} exported members",
            http.User.FindFirstValue(ClaimTypes.NameIdentifier));
        return new CsvResult("members.csv", Columns, async (csv, ct) =>
        {
            await foreach (var m in rows.WithCancellation(ct))
            {
                csv.Text(m.Email).Text(m.Name).Text(m.Tier).Value(Money.ToMajorString(m.MonthlyAmount, m.Currency))
                    .Text(m.Currency).Text(m.Status).Value(CsvValues.Timestamp(m.StartedAt))
                    .Value(CsvValues.Timestamp(m.CurrentPeriodEnd)).Text(m.StripeSubscriptionId)
                    .Text(m.Interval).Value(m.Paused ? (m.PausedUntil is null ? "indefinitely" : CsvValues.Timestamp(m.PausedUntil)) : "").Value(m.BenefitsDeclined ? "true" : "false")
                    .Text(m.CancellationReason);
                await csv.EndRowAsync();
            }
        });
    }
}
