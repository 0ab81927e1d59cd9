using System.Net;
using System.Text.RegularExpressions;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Finance;

public sealed partial class RevenuePageTests
{
    private static readonly TimeZoneInfo NewYork = DonationsApp.OrganizationZone;

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
            Donation Gift(Donor who, long amount, string currency, DateTime at, long refunded = 0, string? campaign = null, long benefits = 0,
                BenefitsTreatment treatment = BenefitsTreatment.Deducted)
            {
                var g = new Donation
                {
                    SettlementKey = "pi:" + Guid.NewGuid().ToString("N"), Donor = who, Amount = amount, Currency = currency, ReceivedAt = at,
                    RefundedAmount = refunded, Status = refunded > 0 ? DonationStatus.PartiallyRefunded : DonationStatus.Succeeded,
                    Campaign = campaign, BenefitsValue = benefits, BenefitsTreatment = treatment,
                };
                seeded.Add(g);
                return g;
            }
            db.AddRange(
                Gift(a, 10000, "usd", LocalNoon(Recent(2)), campaign: "spring", benefits: 500),
                Gift(a, 5000, "usd", LocalNoon(Recent(1)), refunded: 2000),
                // Over $75 with benefits, but disregarded as insubstantial: no quid pro quo payment.
                Gift(b, 30000, "usd", LocalNoon(Recent(1)), benefits: 500, treatment: BenefitsTreatment.Insubstantial),
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
        Assert.Equal(43000, Bars(daily).Sum());
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

    [Fact]
    public async Task The_revenue_page_follows_gifts_recorded_and_refunded_after_it_was_first_drawn()
    {
        await using var app = await DonationsApp.StartAsync();
        var finance = await SignedInAsync(app, StaffRoles.Finance);
        // "This year" is the organisation's: in its first half hour, the gifts are dated seconds into it instead.
        var yearStart = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(
            new DateTime(DonationsApp.OrganizationYear(DateTimeOffset.UtcNow), 1, 1), NewYork));
        DateTimeOffset MinutesAgoThisYear(int minutes) =>
            DateTimeOffset.UtcNow.AddMinutes(-minutes) is var at && at >= yearStart ? at : yearStart.AddSeconds(60 - minutes);
        var first = new OneTimeGift(Amount: 4000, Metadata: FinanceBooks.DonatePage(campaign: "spring")) { PaidAt = MinutesAgoThisYear(30) };
        app.Stripe.AddCharge(first.ChargeId, first.PaymentIntentId, first.Amount, "usd", fee: 146, first.PaidAt);
        await app.DeliverAndProcessAsync(first.CheckoutCompleted());
        await app.WaitForIdleJobsAsync(); // the webhook job's after-commit work included
        Assert.Contains(">spring</td><td>USD</td><td class=\"n\">40.00</td><td class=\"n\">1</td>", await finance.GetStringAsync("/staff/revenue"));

        var second = new OneTimeGift(Amount: 1500, Email: "second@example.org", Metadata: FinanceBooks.DonatePage(campaign: "spring"))
            { PaidAt = MinutesAgoThisYear(20) };
        app.Stripe.AddCharge(second.ChargeId, second.PaymentIntentId, second.Amount, "usd", fee: 74, second.PaidAt);
        app.Stripe.AddRefund(first.ChargeId, 1000, DateTimeOffset.UtcNow);
        await app.DeliverAndProcessAsync(second.CheckoutCompleted(), first.Refunded(1000));
        await app.WaitForIdleJobsAsync();
        var html = await finance.GetStringAsync("/staff/revenue");

        Assert.Contains(">spring</td><td>USD</td><td class=\"n\">45.00</td><td class=\"n\">2</td>", html);
        Assert.Equal(4500, Bars(Figure(html, "daily-amount-usd")).Sum());
    }

    [Fact]
    public async Task A_day_whose_mark_was_lost_with_a_dying_process_is_recounted_by_the_recurring_rollup()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        async Task<int> RollupAsync(bool recurring)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var rollup = scope.ServiceProvider.GetRequiredService<Api.Features.Finance.RevenueRollup>();
            return recurring ? await rollup.RunAsync() : await rollup.CatchUpAsync(CancellationToken.None);
        }
        Task<long?> AutumnNetAsync() => app.WithDbAsync(db => db.RevenueDays.Where(r => r.Campaign == "autumn").SumAsync(r => (long?)r.Net));
        await RollupAsync(recurring: false); // the migrations' "recount everything"
        // Recorded and, months later, refunded, each time by a process that died before it marked the day.
        var now = DateTime.UtcNow;
        var gift = new Donation
        {
            SettlementKey = "pi:pi_autumn", Donor = new Donor { Email = "autumn@example.org", CreatedAt = now }, Amount = 8000, Currency = "usd",
            ReceivedAt = LocalNoon(100), CreatedAt = now.AddMinutes(-5), Campaign = "autumn",
        };
        await app.WithDbAsync(async db => { db.Donations.Add(gift); await db.SaveChangesAsync(); });

        Assert.Equal(0, await RollupAsync(recurring: false));
        Assert.Equal(0, await app.WithDbAsync(db => db.RevenueDays.CountAsync(r => r.Campaign == "autumn")));
        await RollupAsync(recurring: true); // the gift's UTC date touches one or two local days
        Assert.Equal(8000, await AutumnNetAsync());

        await app.WithDbAsync(db => db.Donations.Where(d => d.Id == gift.Id).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.RefundedAmount, 3000).SetProperty(d => d.Status, DonationStatus.PartiallyRefunded).SetProperty(d => d.UpdatedAt, DateTime.UtcNow)));
        await RollupAsync(recurring: true);
        Assert.Equal(5000, await AutumnNetAsync());
    }

    [Fact]
    public async Task A_member_whose_amount_went_up_counts_as_upgraded_in_that_month_and_one_whose_amount_went_down_does_not()
    {
        await using var app = await DonationsApp.StartAsync();
        var started = DateTimeOffset.UtcNow.AddMinutes(-30);
        var up = new MonthlyGift(Amount: 2000) { StartedAt = started };
        var down = new MonthlyGift(Amount: 5000, Email: "down@example.org") { StartedAt = started };
        var same = new MonthlyGift(Amount: 1000, Email: "same@example.org") { StartedAt = started };
        await app.DeliverAndProcessAsync(up.CheckoutCompleted(), down.CheckoutCompleted(), same.CheckoutCompleted());
        await app.DeliverAndProcessAsync(up.SubscriptionCreated(), down.SubscriptionCreated(), same.SubscriptionCreated());
        // The donor portal's amount change reaches us as customer.subscription.updated.
        await app.DeliverAndProcessAsync(
            up.Subscription("customer.subscription.updated", "active", started.AddMinutes(10), amount: 3500),
            down.Subscription("customer.subscription.updated", "active", started.AddMinutes(10), amount: 3000),
            same.Subscription("customer.subscription.updated", "active", started.AddMinutes(10), cancelAtPeriodEnd: true));
        await app.WaitForIdleJobsAsync();
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var month = TimeZoneInfo.ConvertTime(started.AddMinutes(10), NewYork).ToString("yyyy-MM");
        var startMonth = TimeZoneInfo.ConvertTime(started, NewYork).ToString("yyyy-MM");
        var row = $"<tr><td>{month}</td><td class=\"n\">{(startMonth == month ? 3 : 0)}</td><td class=\"n\">1</td>";
        // The amount history commits with each event, so the page follows the events at once.
        var html = await finance.GetStringAsync("/staff/revenue");
        Assert.Contains(row, html);
        Assert.Contains("<th>New</th><th>Upgraded</th><th>Cancelled</th><th>Failed payments</th><th>Why members cancelled</th>", html);
    }

    [Fact]
    public async Task Each_month_says_why_its_cancelled_members_left_the_donors_own_words_first_and_escaped()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var now = DateTime.UtcNow;
        await app.WithDbAsync(async db =>
        {
            Membership Cancelled(string email, string? reason, string? stripeReason) => new()
            {
                Donor = new Donor { Email = email, CreatedAt = now }, StripeSubscriptionId = "sub_" + email[..email.IndexOf('@')], Status = "canceled",
                MonthlyAmount = 1000, Currency = "usd", StartedAt = now.AddMonths(-3), LastEventAt = now, CanceledAt = now.AddMinutes(-5),
                CancellationReason = reason, StripeCancellationReason = stripeReason,
            };
            db.Memberships.AddRange(
                Cancelled("a@example.org", "Moving <abroad>", "cancellation_requested"),
                Cancelled("b@example.org", "Moving <abroad>", null),
                Cancelled("c@example.org", null, "payment_failed"),
                Cancelled("d@example.org", null, null));
            await db.SaveChangesAsync();
        });
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var html = await finance.GetStringAsync("/staff/revenue");

        var month = TimeZoneInfo.ConvertTime(new DateTimeOffset(now.AddMinutes(-5)), NewYork).ToString("yyyy-MM");
        Assert.Contains($"<tr><td>{month}</td>", html);
        Assert.Contains("<td class=\"n\">4</td><td class=\"n\">0</td><td>Moving &lt;abroad&gt; (2); no reason given (1); payment failed (1)</td></tr>", html);
    }

    private static string Figure(string html, string id) =>
        Regex.Match(html, $"<figure id=\"{id}\">.*?</figure>", RegexOptions.Singleline) is { Success: true } m ? m.Value : throw new Xunit.Sdk.XunitException($"no chart {id}");

    private static List<long> Bars(string figure) => BarValue().Matches(figure).Select(m => long.Parse(m.Groups[1].Value)).ToList();

    [GeneratedRegex("<rect class=\"bar\"[^>]*data-value=\"(-?\\d+)\"")]
    private static partial Regex BarValue();
}
