using System.Net;
using System.Text.RegularExpressions;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Finance;

public sealed partial class RevenuePageTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>Noon, <paramref name="daysAgo"/> days before today on the organisation's calendar, as UTC.</summary>
    private static DateTime LocalNoon(int daysAgo) =>
        TimeZoneInfo.ConvertTimeToUtc(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, NewYork).Date.AddDays(-daysAgo).AddHours(12), NewYork);

    [Fact]
    public async Task The_revenue_page_shows_per_currency_totals_server_drawn_charts_campaigns_and_lapsed_donors_under_a_strict_policy()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var localToday = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, NewYork).Date;
        var daysIntoYear = localToday.DayOfYear - 1; // gifts "this year" must stay in it, even early in January
        int Recent(int wanted) => Math.Min(wanted, daysIntoYear);
        var seeded = new List<Donation>();
        await app.WithDbAsync(async db =>
        {
            Donor NewDonor(string email) => new() { Email = email, CreatedAt = DateTime.UtcNow };
            var (a, b, c, d) = (NewDonor("a@example.org"), NewDonor("b@example.org"), NewDonor("c@example.org"), NewDonor("d@example.org"));
            Donation Gift(Donor who, long amount, string currency, DateTime at, long refunded = 0, string? campaign = null, long benefits = 0)
            {
                var g = new Donation
                {
                    SettlementKey = "pi:" + Guid.NewGuid().ToString("N"), Donor = who, Amount = amount, Currency = currency, ReceivedAt = at,
                    RefundedAmount = refunded, Status = refunded > 0 ? DonationStatus.PartiallyRefunded : DonationStatus.Succeeded,
                    Campaign = campaign, BenefitsValue = benefits,
                };
                seeded.Add(g);
                return g;
            }
            db.AddRange(
                Gift(a, 10000, "usd", LocalNoon(Recent(2)), campaign: "spring", benefits: 500),
                Gift(a, 5000, "usd", LocalNoon(Recent(1)), refunded: 2000),
                Gift(b, 4000, "eur", LocalNoon(Recent(3))),
                Gift(c, 2500, "usd", TimeZoneInfo.ConvertTimeToUtc(new DateTime(localToday.Year - 1, 6, 1, 12, 0, 0), NewYork)),
                Gift(d, 1000, "usd", TimeZoneInfo.ConvertTimeToUtc(new DateTime(localToday.Year - 2, 6, 1, 12, 0, 0), NewYork)));
            await db.SaveChangesAsync();
        });
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var answer = await finance.GetAsync("/staff/revenue");
        var html = await answer.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var policy = answer.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none'; style-src 'sha256-", policy);
        Assert.DoesNotContain("script-src", policy);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("style=", html);

        var thisYear = seeded.Where(g => g.ReceivedAt >= TimeZoneInfo.ConvertTimeToUtc(new DateTime(localToday.Year, 1, 1), NewYork)).ToList();
        var expected = thisYear.GroupBy(g => g.Currency).OrderBy(g => g.Key)
            .Select(g => $"<tr><td>{g.Key.ToUpperInvariant()}</td><td class=\"n\">{g.Sum(x => x.Amount - x.RefundedAmount) / 100m:0.00}</td><td class=\"n\">{g.Count()}</td></tr>");
        Assert.Contains($"<table id=\"totals-year\"><thead><tr><th>Currency</th><th>Net</th><th>Gifts</th></tr></thead><tbody>{string.Concat(expected)}</tbody></table>", html);

        var daily = Figure(html, "daily-amount-usd");
        Assert.Equal(90, Bars(daily).Count);
        Assert.Equal(13000, Bars(daily).Sum());
        Assert.Equal(24, Bars(Figure(html, "monthly-amount-usd")).Count);
        Assert.Contains(">spring</td><td>USD</td><td class=\"n\">100.00</td>", html);
        Assert.Contains("id=\"lybunt\">1<", html);
        Assert.Contains("id=\"sybunt\">1<", html);
        Assert.Contains("id=\"quid-pro-quo\">1<", html);
        Assert.Contains("No drift report has run yet.", html);

        var lybunt = await finance.GetStringAsync("/staff/revenue/lapsed.csv?kind=lybunt");
        Assert.StartsWith("donor_email,donor_name,last_gift_at,gifts\r\nc@example.org,,", lybunt);
        Assert.NotEqual(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/staff/revenue")).StatusCode);
    }

    private static string Figure(string html, string id) =>
        Regex.Match(html, $"<figure id=\"{id}\">.*?</figure>", RegexOptions.Singleline) is { Success: true } m ? m.Value : throw new Xunit.Sdk.XunitException($"no chart {id}");

    private static List<long> Bars(string figure) => BarValue().Matches(figure).Select(m => long.Parse(m.Groups[1].Value)).ToList();

    [GeneratedRegex("<rect class=\"bar\"[^>]*data-value=\"(-?\\d+)\"")]
    private static partial Regex BarValue();
}
