using System.Globalization;
using System.Security.Claims;
using System.Text;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.Finance;

/// <summary>
/// GET /staff/revenue: the drift report at a glance, then revenue — per day for 90 days and per
/// month for 24 (charts drawn on the server), recurring revenue, members, campaigns and sources,
/// lapsed donors and the Form 990 quid-pro-quo count. Days, months and years are the
/// organisation's (Organization:TimeZone); every total is per currency, net of refunds.
/// </summary>
internal static class RevenuePage
{
    public const string Path = "/staff/revenue";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(Path, ShowAsync).RequireAuthorization(StaffPolicies.Finance);
        app.MapGet(Path + "/lapsed.csv", LapsedExport).RequireAuthorization(StaffPolicies.Finance);
    }

    private static async Task<IResult> ShowAsync(HttpContext http, DonationsDbContext db, RevenueFigures figures, TimeProvider time,
        IOptions<OrganizationOptions> org)
    {
        var ct = http.RequestAborted;
        var zone = org.Value.GetTimeZone();
        var today = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date;
        DateTime Utc(DateTime local) => Dates.StartInUtc(local, zone);
        var days = Enumerable.Range(-89, 91).Select(i => Utc(today.AddDays(i))).ToList();
        var firstMonth = new DateTime(today.Year, today.Month, 1).AddMonths(-23);
        var months = Enumerable.Range(0, 25).Select(i => Utc(firstMonth.AddMonths(i))).ToList();
        var yearStart = Utc(new DateTime(today.Year, 1, 1));
        var lastYearStart = Utc(new DateTime(today.Year - 1, 1, 1));

        var perDay = await figures.PerPeriodAsync(days, ct);
        var perMonth = await figures.PerPeriodAsync(months, ct);
        var currencies = perMonth.SelectMany(p => p.Totals).Select(t => t.Currency).Distinct().Order().ToList();
        var html = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"""<header><h1>Revenue</h1><a href="{StaffAuthentication.HomePath}">Staff home</a></header>""")
            .Append(await DriftSectionAsync(http, db, ct))
            .Append("<h2>This year</h2>").Append(TotalsTable("totals-year", await figures.TotalsAsync(yearStart, months[^1], ct)));

        html.Append("<h2>Last 90 days</h2>");
        foreach (var c in currencies)
        {
            html.Append(SvgChart.Bars($"daily-amount-{c}", $"Net {c.ToUpperInvariant()} per day", Series(perDay, c, t => t.Net, d => d.ToString("MM-dd", CultureInfo.InvariantCulture), zone), m => Money.ToMajorString(m, c)));
            html.Append(SvgChart.Bars($"daily-gifts-{c}", $"Gifts in {c.ToUpperInvariant()} per day", Series(perDay, c, t => t.Gifts, d => d.ToString("MM-dd", CultureInfo.InvariantCulture), zone), n => n.ToString(CultureInfo.InvariantCulture)));
        }
        html.Append("<h2>Last 24 months</h2>");
        foreach (var c in currencies)
        {
            html.Append(SvgChart.Bars($"monthly-amount-{c}", $"Net {c.ToUpperInvariant()} per month", Series(perMonth, c, t => t.Net, d => d.ToString("yyyy-MM", CultureInfo.InvariantCulture), zone), m => Money.ToMajorString(m, c)));
            html.Append(SvgChart.Bars($"monthly-gifts-{c}", $"Gifts in {c.ToUpperInvariant()} per month", Series(perMonth, c, t => t.Gifts, d => d.ToString("yyyy-MM", CultureInfo.InvariantCulture), zone), n => n.ToString(CultureInfo.InvariantCulture)));
        }

        html.Append("<h2>Recurring revenue</h2>");
        var recurring = new List<(DateTime Start, List<RevenueFigures.Total> Totals)>();
        foreach (var end in months.Skip(1)) recurring.Add((end, await figures.RecurringAtAsync(end, ct)));
        foreach (var c in recurring.SelectMany(r => r.Totals).Select(t => t.Currency).Distinct().Order())
            html.Append(SvgChart.Bars($"recurring-{c}", $"Monthly members × amount, {c.ToUpperInvariant()}, at each month's end",
                Series(recurring, c, t => t.Net, d => d.AddDays(-1).ToString("yyyy-MM", CultureInfo.InvariantCulture), zone), m => Money.ToMajorString(m, c)));

        html.Append("""<h2>Members per month</h2><table id="members"><thead><tr><th>Month</th><th>New</th><th>Cancelled</th><th>Failed payments</th></tr></thead><tbody>""");
        for (var i = months.Count - 2; i >= Math.Max(0, months.Count - 13); i--)
        {
            var m = await figures.MembersAsync(months[i], months[i + 1], ct);
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{Dates.Local(months[i], zone):yyyy-MM}</td><td class="n">{m.New}</td><td class="n">{m.Cancelled}</td><td class="n">{m.FailedPayments}</td></tr>""");
        }
        html.Append("</tbody></table>");

        html.Append("<h2>This year by campaign</h2>").Append(GroupTable("by-campaign", "Campaign", await figures.ByCampaignAsync(yearStart, months[^1], ct)))
            .Append("<h2>This year by source</h2>").Append(GroupTable("by-source", "Source", await figures.BySourceAsync(yearStart, months[^1], ct)));

        var lybunt = await figures.Lapsed(yearStart, lastYearStart, someYear: false).CountAsync(ct);
        var sybunt = await figures.Lapsed(yearStart, lastYearStart, someYear: true).CountAsync(ct);
        html.Append(CultureInfo.InvariantCulture, $"""
            <h2>Lapsed donors</h2>
            <ul><li>Gave last year, not yet this year (LYBUNT): <strong id="lybunt">{lybunt}</strong> — <a href="{Path}/lapsed.csv?kind=lybunt">CSV</a></li>
            <li>Gave in an earlier year, not last year nor this (SYBUNT): <strong id="sybunt">{sybunt}</strong> — <a href="{Path}/lapsed.csv?kind=sybunt">CSV</a></li></ul>
            <h2>Form 990</h2>
            <p>Quid-pro-quo contributions this year (over $75 with benefits in return): <strong id="quid-pro-quo">{await figures.QuidProQuoAsync(yearStart, months[^1], ct)}</strong></p>
            <p><small>Net of refunds; days and months in {E(org.Value.TimeZone)}.</small></p>
            """);
        return StaffPage.Render(http, org.Value.Name, "Revenue", html.ToString());
    }

    private static async Task<string> DriftSectionAsync(HttpContext http, DonationsDbContext db, CancellationToken ct)
    {
        var report = await db.DriftReports.AsNoTracking().Where(r => r.FinishedAt != null).OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        var admin = http.User.IsInRole(StaffRoles.Admin);
        var run = admin ? $"""<form method="post" action="/api/finance/drift/run">{AntiforgeryField(http)}<button type="submit">Run the drift report now</button></form>""" : "";
        if (report is null) return $"""<section id="drift"><h2>Books against Stripe</h2><p id="drift-state">No drift report has run yet.</p>{run}</section>""";
        var items = await db.DriftItems.AsNoTracking().Where(i => i.ReportId == report.Id).OrderBy(i => i.Id).Take(200).ToListAsync(ct);
        var state = report.Error is not null ? $"""<p id="drift-state" class="error">The last report could not finish: {E(report.Error)}</p>"""
            : report.ItemCount == 0 ? """<p id="drift-state"><strong>0 differences</strong> — the books agree with Stripe.</p>"""
            : $"""<p id="drift-state" class="error"><strong>{report.ItemCount} difference{(report.ItemCount == 1 ? "" : "s")}</strong> between the books and Stripe.</p>""";
        var rows = string.Concat(items.Select(i => $"""
            <tr><td>{E(i.Kind)}</td><td>{StripeLink(i.StripeObject)}</td><td class="n">{i.DonationId}</td><td>{E(i.Detail)}</td>
            <td>{(admin && i.Kind == DriftKinds.MissingGift ? $"""<form method="post" action="/api/finance/drift/{i.Id}/replay">{AntiforgeryField(http)}<button type="submit">Replay</button></form>""" : i.ReplayedAt is null ? "" : "replayed")}</td></tr>
            """));
        return $"""
            <section id="drift"><h2>Books against Stripe</h2>{state}
            <p><small>Report of {report.FinishedAt:yyyy-MM-dd HH:mm} UTC covering {report.WindowFrom:yyyy-MM-dd} to {report.WindowTo:yyyy-MM-dd}. <a href="/api/finance/drift.csv">drift.csv</a></small></p>
            {(items.Count == 0 ? "" : $"""<table id="drift-items"><thead><tr><th>Kind</th><th>Stripe object</th><th>Gift</th><th>Detail</th><th></th></tr></thead><tbody>{rows}</tbody></table>""")}
            {run}</section>
            """;
    }

    /// <summary>The object in Stripe's dashboard, by the kind its id prefix names.</summary>
    private static string StripeLink(string? id)
    {
        if (id is null) return "";
        var path = id.Split('_')[0] switch { "ch" or "py" or "pi" => "payments", "in" => "invoices", "po" => "payouts", _ => null };
        return path is null ? $"<code>{E(id)}</code>" : $"""<a href="https://dashboard.stripe.com/{path}/{E(id)}"><code>{E(id)}</code></a>""";
    }

    private static IResult LapsedExport(string? kind, RevenueFigures figures, TimeProvider time, IOptions<OrganizationOptions> org)
    {
        var zone = org.Value.GetTimeZone();
        var year = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Year;
        var sybunt = string.Equals(kind, "sybunt", StringComparison.OrdinalIgnoreCase);
        var rows = figures.Lapsed(Dates.StartInUtc(new DateTime(year, 1, 1), zone), Dates.StartInUtc(new DateTime(year - 1, 1, 1), zone), sybunt)
            .OrderBy(d => d.Id)
            .Select(d => new { d.Email, d.Name, Last = d.Donations.Max(g => g.ReceivedAt), Gifts = d.Donations.Count() })
            .AsAsyncEnumerable();
        return new CsvResult(sybunt ? "sybunt.csv" : "lybunt.csv", ["donor_email", "donor_name", "last_gift_at", "gifts"], async (csv, ct) =>
        {
            await foreach (var d in rows.WithCancellation(ct))
            {
                csv.Text(d.Email).Text(d.Name).Value(CsvValues.Timestamp(d.Last)).Number(d.Gifts);
                await csv.EndRowAsync();
            }
        });
    }

    private static List<(string, long)> Series(List<(DateTime Start, List<RevenueFigures.Total> Totals)> periods, string currency,
        Func<RevenueFigures.Total, long> value, Func<DateTime, string> label, TimeZoneInfo zone) =>
        periods.Select(p => (label(Dates.Local(p.Start, zone)), p.Totals.Where(t => t.Currency == currency).Select(value).FirstOrDefault())).ToList();

    private static string TotalsTable(string id, List<RevenueFigures.Total> totals) => totals.Count == 0
        ? $"""<p id="{id}">No gifts yet.</p>"""
        : $"""<table id="{id}"><thead><tr><th>Currency</th><th>Net</th><th>Gifts</th></tr></thead><tbody>{string.Concat(totals.Select(t =>
            $"""<tr><td>{E(t.Currency.ToUpperInvariant())}</td><td class="n">{E(Money.ToMajorString(t.Net, t.Currency))}</td><td class="n">{t.Gifts}</td></tr>"""))}</tbody></table>""";

    private static string GroupTable(string id, string name, List<RevenueFigures.Group> groups) => groups.Count == 0
        ? $"""<p id="{id}">No gifts yet.</p>"""
        : $"""<table id="{id}"><thead><tr><th>{name}</th><th>Currency</th><th>Net</th><th>Gifts</th></tr></thead><tbody>{string.Concat(groups.Select(g =>
            $"""<tr><td>{E(g.Name.Length == 0 ? "(none)" : g.Name)}</td><td>{E(g.Currency.ToUpperInvariant())}</td><td class="n">{E(Money.ToMajorString(g.Net, g.Currency))}</td><td class="n">{g.Gifts}</td></tr>"""))}</tbody></table>""";
}
