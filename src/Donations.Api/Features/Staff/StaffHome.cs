using System.Globalization;
using System.Security.Claims;
using System.Text;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Donations.Api.Features.Staff.StaffPage;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Staff;

/// <summary>
/// GET /staff: what finance looks at first. Today's and this month's net totals per currency
/// (days and months as the organisation's clock has them), the latest gifts, and what needs
/// attention (failed jobs, failed receipts).
/// </summary>
internal static class StaffHome
{
    private const int RecentCount = 25;

    private sealed record Total(string Currency, int Count, long Net);

    public static async Task<IResult> ShowAsync(HttpContext http, DonationsDbContext db, JobStorage jobs, TimeProvider time,
        OrganizationOptions org, string dashboardPath)
    {
        var ct = http.RequestAborted;
        var zone = org.GetTimeZone();
        var localNow = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone);
        var todayStart = Dates.StartInUtc(localNow.Date, zone);
        var monthStart = Dates.StartInUtc(new DateTime(localNow.Year, localNow.Month, 1), zone);

        var today = await TotalsSinceAsync(db, todayStart, ct);
        var month = await TotalsSinceAsync(db, monthStart, ct);
        var recent = await db.Donations.AsNoTracking()
            .OrderByDescending(d => d.ReceivedAt).ThenByDescending(d => d.Id).Take(RecentCount)
            .Select(d => new { d.Id, d.ReceivedAt, d.Amount, d.Currency, d.Frequency, d.Status, d.RefundedAmount, d.DisputeStatus, d.Donor!.Email })
            .ToListAsync(ct);
        var failedReceipts = await db.Receipts.CountAsync(r => r.Status == ReceiptStatus.Failed, ct);
        var failedJobs = jobs.GetMonitoringApi().FailedCount();

        var rows = new StringBuilder();
        foreach (var d in recent)
            rows.Append(CultureInfo.InvariantCulture, $"""
                <tr><td class="n">{d.Id}</td><td>{E(Dates.IsoMinutes(d.ReceivedAt, zone))}</td>
                <td class="n">{E(Money.ToMajorString(d.Amount, d.Currency))}</td><td>{E(d.Currency.ToUpperInvariant())}</td>
                <td>{E(CsvValues.Frequency(d.Frequency))}</td><td>{E(CsvValues.Status(d.Status))}{(d.DisputeStatus is null ? "" : $" (dispute {E(d.DisputeStatus)})")}</td><td>{E(d.Email)}</td></tr>
                """);
        var who = http.User.FindFirstValue(ClaimTypes.Name);
        var role = http.User.FindFirstValue(ClaimTypes.Role);

        return Render(http, org.Name, "Staff", $"""
            <header>
              <h1>{E(org.Name)} — staff</h1>
              <form method="post" action="{SignIn.LogoutPath}">
                {AntiforgeryField(http)}
                <span>{E(who)} ({E(role)})</span> <button type="submit">Sign out</button>
              </form>
            </header>
            <nav>
              <a href="{E(dashboardPath)}">Jobs dashboard</a> ·
              <a href="{StripeEventsPage.Path}">Stripe events</a> ·
              <a href="/api/finance/donations.csv">Export donations (CSV)</a> ·
              <a href="/api/finance/members.csv">Export members (CSV)</a>
            </nav>
            <h2>Needs attention</h2>
            <ul>
              <li>Failed jobs: <strong id="failed-jobs">{failedJobs}</strong> (<a href="{E(dashboardPath)}/jobs/failed">review</a>)</li>
              <li>Failed receipts: <strong id="failed-receipts">{failedReceipts}</strong></li>
            </ul>
            <h2>Today</h2>
            {TotalsTable(today, "today")}
            <h2>This month</h2>
            {TotalsTable(month, "month")}
            <p><small>Net of refunds; days and months in {E(org.TimeZone)}.</small></p>
            <h2>Recent donations</h2>
            <table id="recent">
              <thead><tr><th>Id</th><th>Received</th><th>Amount</th><th>Currency</th><th>Frequency</th><th>Status</th><th>Donor</th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            """);
    }

    private static async Task<List<Total>> TotalsSinceAsync(DonationsDbContext db, DateTime sinceUtc, CancellationToken ct) =>
        await db.Donations.AsNoTracking().Where(d => d.ReceivedAt >= sinceUtc)
            .GroupBy(d => d.Currency)
            .OrderBy(g => g.Key)
            .Select(g => new Total(g.Key, g.Count(), g.Sum(d => d.Amount - d.RefundedAmount)))
            .ToListAsync(ct);

    private static string TotalsTable(List<Total> totals, string id)
    {
        if (totals.Count == 0) return $"""<p id="totals-{id}">No donations yet.</p>""";
        var rows = string.Concat(totals.Select(t =>
            $"""<tr><td>{E(t.Currency.ToUpperInvariant())}</td><td class="n">{E(Money.ToMajorString(t.Net, t.Currency))}</td><td class="n">{t.Count}</td></tr>"""));
        return $"""
            <table id="totals-{id}"><thead><tr><th>Currency</th><th>Net total</th><th>Gifts</th></tr></thead><tbody>{rows}</tbody></table>
            """;
    }
}
