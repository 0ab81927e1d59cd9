using System.Globalization;
using Donations.Api.Features.Staff;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Donations.EndToEnd;

/// <summary>
/// Finance staff sign in and read the revenue page for a year of seeded gifts in three currencies,
/// in a real browser under the page's strict Content-Security-Policy: its charts are drawn on the
/// server, and every figure shown is the one the seeded gifts give, computed here from the seed.
/// </summary>
public sealed class RevenuePageTests(Browser browser) : IClassFixture<Browser>, IAsyncLifetime
{
    private const string Email = "treasurer@example.org", Password = "correct horse battery staple";
    private static readonly TimeZoneInfo NewYork = DonationsApp.OrganizationZone;
    // The machine is shared and slow at times: wait long rather than fail on a busy moment.
    private static readonly LocatorAssertionsToHaveCountOptions Patient = new() { Timeout = 60_000 };
    private static readonly LocatorAssertionsToHaveTextOptions PatientText = new() { Timeout = 60_000 };
    private readonly DateOnly _today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, NewYork).Date);
    private readonly List<Donation> _seed = [];
    private DonationsApp _app = null!;

    // No Hangfire server: what the page shows is what it counts when it is asked.
    public async Task InitializeAsync() => _app = await DonationsApp.StartAsync(o => { o.UseKestrel = true; o.HangfireServer = false; });

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Finance_staff_see_a_seeded_year_drawn_as_server_side_charts_with_the_totals_the_gifts_give()
    {
        await SeedYearAsync();
        await CreateStaffAsync();
        await using var context = await browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 1000 } });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync(Url("/staff/login?returnUrl=%2Fstaff%2Frevenue"));
        await page.GetByLabel("Email").FillAsync(Email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(Url("/staff/revenue"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Revenue", PatientText);
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("revenue.png"), FullPage = true });

        var currencies = _seed.Select(g => g.Currency).Distinct().Order().ToList();
        Assert.Equal(["eur", "jpy", "usd"], currencies);
        foreach (var c in currencies)
        {
            // Drawn on the server: the chart is inline SVG, one bar per month, each holding its net.
            var monthly = page.Locator($"figure#monthly-amount-{c} svg rect.bar");
            await Assertions.Expect(monthly).ToHaveCountAsync(24, Patient);
            await Assertions.Expect(page.Locator($"figure#monthly-amount-{c} svg")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            Assert.Equal(Months().Select(m => Net(InMonth(m), c)), await BarValuesAsync(monthly));
            Assert.Equal(Months().Select(m => (long)InMonth(m).Count(g => g.Currency == c)), await BarValuesAsync(page.Locator($"figure#monthly-gifts-{c} svg rect.bar")));
            var daily = page.Locator($"figure#daily-amount-{c} svg rect.bar");
            await Assertions.Expect(daily).ToHaveCountAsync(90, Patient);
            Assert.Equal(Enumerable.Range(-89, 90).Select(i => Net(_seed.Where(g => Day(g) == _today.AddDays(i)), c)), await BarValuesAsync(daily));
        }

        var thisYear = _seed.Where(g => Day(g).Year == _today.Year).ToList();
        Assert.Equal(thisYear.GroupBy(g => g.Currency).OrderBy(g => g.Key).Select(g => $"{g.Key.ToUpperInvariant()}|{Major(g.Sum(x => x.NetAmount), g.Key)}|{g.Count()}"),
            await RowsAsync(page.Locator("#totals-year tbody tr")));
        Assert.Equal(Grouped(thisYear, g => g.Campaign), (await RowsAsync(page.Locator("#by-campaign tbody tr"))).Order());
        Assert.Equal(Grouped(thisYear, g => g.Source), (await RowsAsync(page.Locator("#by-source tbody tr"))).Order());

        var lastGift = _seed.GroupBy(g => g.Donor!.Email).Select(d => d.Max(Day)).ToList();
        await Assertions.Expect(page.Locator("#lybunt")).ToHaveTextAsync(Count(lastGift.Count(d => d.Year == _today.Year - 1)), PatientText);
        await Assertions.Expect(page.Locator("#sybunt")).ToHaveTextAsync(Count(lastGift.Count(d => d.Year < _today.Year - 1)), PatientText);
        await Assertions.Expect(page.Locator("#quid-pro-quo")).ToHaveTextAsync(
            Count(thisYear.Count(g => g.BenefitsValue > 0 && g.Currency == "usd" && g.Amount > 7500)), PatientText);
        Assert.True(await page.Locator("#lybunt").TextContentAsync() != "0", "the seed has lapsed donors to count");
        // The page's own style applied (no CSP refusal), and nothing was refused or failed.
        Assert.Equal("right", await page.Locator("#totals-year td.n").First.EvaluateAsync<string>("e => getComputedStyle(e).textAlign"));
        Assert.Empty(errors);
    }

    /// <summary>
    /// Gifts every three days for a year back from today (so both this year and last), in USD, EUR
    /// and JPY, at hours of the New York day that are another UTC day (23:30 and 00:15 local), some
    /// partly refunded, with campaigns, sources and benefits; donors who gave only last year
    /// (LYBUNT) or only before it (SYBUNT).
    /// </summary>
    private Task SeedYearAsync() => _app.WithDbAsync(async db =>
    {
        var donors = Enumerable.Range(0, 8).Select(i => new Donor { Email = $"reader{i}@example.org", CreatedAt = DateTime.UtcNow }).ToList();
        string?[] campaigns = ["spring", "autumn", null], sources = ["article-soil", "newsletter", "article-rivers", null];
        string[] currencies = ["usd", "usd", "eur", "usd", "jpy"];
        TimeSpan[] times = [new(23, 30, 0), new(0, 15, 0), new(12, 0, 0)];
        for (var i = 0; i < 122; i++)
        {
            var currency = currencies[i % currencies.Length];
            var amount = currency == "jpy" ? 1000 + i * 10 : 500 + i * 173 % 19_000;
            Add(donors[i % donors.Count], _today.AddDays(-3 * i), times[i % times.Length], amount, currency,
                refunded: i % 5 == 0 ? amount / 4 : 0, campaigns[i % campaigns.Length], sources[i % sources.Length],
                benefits: currency == "usd" && i % 2 == 0 ? 1000 : 0);
        }
        var lybunt = new Donor { Email = "last-year-only@example.org", CreatedAt = DateTime.UtcNow };
        var sybunt = new Donor { Email = "years-ago@example.org", CreatedAt = DateTime.UtcNow };
        Add(lybunt, new DateOnly(_today.Year - 1, 7, 4), new(12, 0, 0), 2500, "usd", 0, "autumn", null, 0);
        Add(sybunt, new DateOnly(_today.Year - 3, 3, 1), new(12, 0, 0), 4000, "usd", 0, null, null, 0);
        db.AddRange(_seed);
        await db.SaveChangesAsync();
    });

    private void Add(Donor donor, DateOnly day, TimeSpan at, long amount, string currency, long refunded, string? campaign, string? source, long benefits) =>
        _seed.Add(new Donation
        {
            SettlementKey = "pi:pi_seed_" + _seed.Count, Donor = donor, Amount = amount, Currency = currency, RefundedAmount = refunded,
            Status = refunded > 0 ? DonationStatus.PartiallyRefunded : DonationStatus.Succeeded, Campaign = campaign, Source = source,
            BenefitsValue = benefits, ReceivedAt = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.FromTimeSpan(at)), NewYork),
            CreatedAt = DateTime.UtcNow,
        });

    private async Task CreateStaffAsync()
    {
        var error = new StringWriter();
        var command = new StaffCommand(new StringReader(Password + "\n"), new StringWriter(), error, () => null);
        Assert.True(await command.RunAsync(_app.Services, ["add", Email, "--role", StaffRoles.Finance], CancellationToken.None) == 0, error.ToString());
    }

    private DateOnly Day(Donation g) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(g.ReceivedAt, NewYork));

    private IEnumerable<DateOnly> Months()
    {
        var first = new DateOnly(_today.Year, _today.Month, 1).AddMonths(-23);
        return Enumerable.Range(0, 24).Select(first.AddMonths);
    }

    private IEnumerable<Donation> InMonth(DateOnly month) => _seed.Where(g => Day(g).Year == month.Year && Day(g).Month == month.Month);

    private static long Net(IEnumerable<Donation> gifts, string currency) => gifts.Where(g => g.Currency == currency).Sum(g => g.NetAmount);

    private static List<string> Grouped(IEnumerable<Donation> gifts, Func<Donation, string?> key) =>
        gifts.GroupBy(g => (Name: key(g) ?? "(none)", g.Currency))
            .Select(g => $"{g.Key.Name}|{g.Key.Currency.ToUpperInvariant()}|{Major(g.Sum(x => x.NetAmount), g.Key.Currency)}|{g.Count()}")
            .Order().ToList();

    private static string Major(long minor, string currency) =>
        currency == "jpy" ? minor.ToString(CultureInfo.InvariantCulture) : (minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static async Task<List<long>> BarValuesAsync(ILocator bars) =>
        (await bars.EvaluateAllAsync<string[]>("bars => bars.map(b => b.getAttribute('data-value'))")).Select(long.Parse).ToList();

    /// <summary>Each row's cells as shown, joined with '|'.</summary>
    private static async Task<List<string>> RowsAsync(ILocator rows) =>
        (await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()).join('|'))")).ToList();

    private string Url(string path) => new Uri(_app.BaseAddress, path).ToString();
}
