using System.Globalization;
using System.Net;
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

    private static async Task<IResult> ShowAsync(HttpContext http, DonationsDbContext db, RevenueFigures figures, RevenueRollup rollup,
        TimeProvider time, IOptions<OrganizationOptions> org)
    {
        var ct = http.RequestAborted;
        var timing = new ServerTiming(time);
        var zone = org.Value.GetTimeZone();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date);
        DateTime Utc(DateOnly day) => Dates.StartInUtc(day.ToDateTime(TimeOnly.MinValue), zone);
        var days = Enumerable.Range(-89, 91).Select(today.AddDays).ToList();
        var firstMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(-23);
        var months = Enumerable.Range(0, 25).Select(firstMonth.AddMonths).ToList();
        var yearStart = new DateOnly(today.Year, 1, 1);
        var end = months[^1];

        // Gifts committed before this request are all counted.
        await rollup.CatchUpAsync(ct);
        timing.Lap("rollup");
        var drift = await DriftSectionAsync(http, db, ct);
        timing.Lap("drift");
        var perDay = await figures.PerPeriodAsync(days, ct);
        var perMonth = await figures.PerPeriodAsync(months, ct);
        var year = await figures.TotalsAsync(yearStart, end, ct);
        timing.Lap("gifts");
        var currencies = perMonth.SelectMany(p => p.Totals).Select(t => t.Currency).Distinct().Order().ToList();
        var html = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"""<header><h1>Revenue</h1><a href="{StaffAuthentication.HomePath}">Staff home</a></header>""")
            .Append(drift)
            .Append("<h2>This year</h2>").Append(TotalsTable("totals-year", year));

        html.Append("<h2>Last 90 days</h2>");
        foreach (var c in currencies)
        {
            html.Append(SvgChart.Bars($"daily-amount-{c}", $"Net {c.ToUpperInvariant()} per day", Series(perDay, c, t => t.Net, "MM-dd"), m => Money.ToMajorString(m, c)));
            html.Append(SvgChart.Bars($"daily-gifts-{c}", $"Gifts in {c.ToUpperInvariant()} per day", Series(perDay, c, t => t.Gifts, "MM-dd"), Count));
        }
        html.Append("<h2>Last 24 months</h2>");
        foreach (var c in currencies)
        {
            html.Append(SvgChart.Bars($"monthly-amount-{c}", $"Net {c.ToUpperInvariant()} per month", Series(perMonth, c, t => t.Net, "yyyy-MM"), m => Money.ToMajorString(m, c)));
            html.Append(SvgChart.Bars($"monthly-gifts-{c}", $"Gifts in {c.ToUpperInvariant()} per month", Series(perMonth, c, t => t.Gifts, "yyyy-MM"), Count));
        }

        html.Append("<h2>Recurring revenue</h2>");
        var monthEnds = months.Skip(1).ToList();
        var recurring = monthEnds.Zip(await figures.RecurringAtAsync(monthEnds.Select(Utc).ToList(), ct))
            .Select(r => (Start: r.First.AddDays(-1), Totals: r.Second)).ToList();
        foreach (var c in recurring.SelectMany(r => r.Totals).Select(t => t.Currency).Distinct().Order())
            html.Append(SvgChart.Bars($"recurring-{c}", $"Paying monthly members × the amount then in force, {c.ToUpperInvariant()}, at each month's end",
                Series(recurring, c, t => t.Net, "yyyy-MM"), m => Money.ToMajorString(m, c)));
        timing.Lap("recurring");

        html.Append("""<h2>Members per month</h2><table id="members"><thead><tr><th>Month</th><th>New</th><th>Upgraded</th><th>Cancelled</th><th>Failed payments</th><th>Why members cancelled</th></tr></thead><tbody>""");
        for (var i = months.Count - 2; i >= Math.Max(0, months.Count - 13); i--)
        {
            var m = await figures.MembersAsync(Utc(months[i]), Utc(months[i + 1]), ct);
            html.Append(CultureInfo.InvariantCulture, $"""<tr><td>{months[i]:yyyy-MM}</td><td class="n">{m.New}</td><td class="n">{m.Upgraded}</td><td class="n">{m.Cancelled}</td><td class="n">{m.FailedPayments}</td><td>{WebUtility.HtmlEncode(string.Join("; ", m.Reasons.Select(r => $"{r.Reason} ({r.Members})")))}</td></tr>""");
        }
        html.Append("</tbody></table>");
        timing.Lap("members");

        var attributed = await figures.AttributedAsync(yearStart, end, ct);
        html.Append("<h2>This year by campaign</h2>").Append(GroupTable("by-campaign", "Campaign", RevenueFigures.By(attributed, a => a.Campaign)))
            .Append("<h2>This year by source</h2>").Append(GroupTable("by-source", "Source", RevenueFigures.By(attributed, a => a.Source)));
        var quidProQuo = await figures.QuidProQuoAsync(yearStart, end, ct);
        timing.Lap("attribution");

        var (thisYearUtc, lastYearUtc) = (Utc(yearStart), Utc(yearStart.AddYears(-1)));
        var lybunt = await figures.Lapsed(thisYearUtc, lastYearUtc, someYear: false).CountAsync(ct);
        var sybunt = await figures.Lapsed(thisYearUtc, lastYearUtc, someYear: true).CountAsync(ct);
        timing.Lap("lapsed");
        html.Append(CultureInfo.InvariantCulture, $"""
            <h2>Lapsed donors</h2>
            <ul><li>Gave last year, not yet this year (LYBUNT): <strong id="lybunt">{lybunt}</strong> — <a href="{Path}/lapsed.csv?kind=lybunt">CSV</a></li>
            <li>Gave in an earlier year, not last year nor this (SYBUNT): <strong id="sybunt">{sybunt}</strong> — <a href="{Path}/lapsed.csv?kind=sybunt">CSV</a></li></ul>
            <h2>Form 990</h2>
            <p>Quid-pro-quo contributions this year (over $75 with benefits in return): <strong id="quid-pro-quo">{quidProQuo}</strong></p>
            <p><small>Net of refunds; days and months in {E(org.Value.TimeZone)}.</small></p>
            """);
        // Where the time went, for the browser's developer tools and the revenue benchmark.
        http.Response.Headers["Server-Timing"] = timing.ToString();
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

    private static List<(string, long)> Series(List<(DateOnly Start, List<RevenueFigures.Total> Totals)> periods, string currency,
        Func<RevenueFigures.Total, long> value, string label) =>
        periods.Select(p => (p.Start.ToString(label, CultureInfo.InvariantCulture), p.Totals.Where(t => t.Currency == currency).Select(value).FirstOrDefault())).ToList();

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string TotalsTable(string id, List<RevenueFigures.Total> totals) => totals.Count == 0
        ? $"""<p id="{id}">No gifts yet.</p>"""
        : $"""<table id="{id}"><thead><tr><th>Currency</th><th>Net</th><th>Gifts</th></tr></thead><tbody>{string.Concat(totals.Select(t =>
            $"""<tr><td>{E(t.Currency.ToUpperInvariant())}</td><td class="n">{E(Money.ToMajorString(t.Net, t.Currency))}</td><td class="n">{t.Gifts}</td></tr>"""))}</tbody></table>""";

    private static string GroupTable(string id, string name, List<RevenueFigures.Group> groups) => groups.Count == 0
        ? $"""<p id="{id}">No gifts yet.</p>"""
        : $"""<table id="{id}"><thead><tr><th>{name}</th><th>Currency</th><th>Net</th><th>Gifts</th></tr></thead><tbody>{string.Concat(groups.Select(g =>
            $"""<tr><td>{E(g.Name.Length == 0 ? "(none)" : g.Name)}</td><td>{E(g.Currency.ToUpperInvariant())}</td><td class="n">{E(Money.ToMajorString(g.Net, g.Currency))}</td><td class="n">{g.Gifts}</td></tr>"""))}</tbody></table>""";
}
