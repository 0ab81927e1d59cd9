using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Finance;

/// <summary>The revenue page's member figures read as they were in each month, not as they are now.</summary>
public sealed partial class RevenuePageTests
{
    /// <summary>Noon on the 15th of the month <paramref name="monthsAgo"/> months before this one, on the organisation's calendar, as UTC.</summary>
    private static DateTimeOffset MidMonth(int monthsAgo)
    {
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, NewYork).Date;
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(new DateTime(today.Year, today.Month, 15, 12, 0, 0).AddMonths(-monthsAgo), NewYork));
    }

    private static string MonthOf(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, NewYork).ToString("yyyy-MM");

    /// <summary>The end of the organisation's month that <paramref name="at"/> falls in, as UTC.</summary>
    private static DateTimeOffset MonthEnd(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, NewYork);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(new DateTime(local.Year, local.Month, 1).AddMonths(1), NewYork));
    }

    [Fact]
    public async Task Failed_payments_count_each_member_whose_renewal_failed_once_however_often_Stripe_retried_and_not_other_products()
    {
        await using var app = await DonationsApp.StartAsync();
        var started = MidMonth(2);
        var retried = new MonthlyGift(Amount: 2000) { StartedAt = started };
        var once = new MonthlyGift(Amount: 3000, Email: "once@example.org") { StartedAt = started };
        // A print subscription on the same Stripe account: its invoices fail too, but it is no membership.
        var print = new MonthlyGift(Amount: 900, Email: "print@example.org", Metadata: new Dictionary<string, string>()) { StartedAt = started };
        await app.DeliverAndProcessAsync(retried.CheckoutCompleted(), once.CheckoutCompleted());
        await app.DeliverAndProcessAsync(retried.SubscriptionCreated(), once.SubscriptionCreated(), print.SubscriptionCreated());
        // The second month's invoice: Stripe tries it four times, each attempt an invoice.payment_failed.
        var failures = Enumerable.Range(1, 4).Select(a => retried.InvoicePaymentFailed(2, attempt: a, created: retried.MonthStart(2).AddDays(a - 1)))
            .Append(once.InvoicePaymentFailed(2, created: once.MonthStart(2).AddHours(1)))
            .Concat(Enumerable.Range(1, 2).Select(a => print.InvoicePaymentFailed(2, attempt: a, created: print.MonthStart(2).AddDays(a - 1))))
            .ToArray();
        await app.DeliverAndProcessAsync(failures);
        await app.WaitForIdleJobsAsync();
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var html = await finance.GetStringAsync("/staff/revenue");

        var membersWhoseRenewalFailed = new[] { retried, once }.Length;
        Assert.Equal(membersWhoseRenewalFailed, MemberMonth(html, MonthOf(retried.MonthStart(2))).FailedPayments);
        Assert.Equal(0, MemberMonth(html, MonthOf(started)).FailedPayments);
    }

    [Fact]
    public async Task Recurring_revenue_of_a_past_month_counts_the_amount_then_in_force_and_only_members_paying_then()
    {
        await using var app = await DonationsApp.StartAsync();
        var started = MidMonth(4);
        var raised = new MonthlyGift(Amount: 2000) { StartedAt = started };
        var paused = new MonthlyGift(Amount: 2000, Email: "paused@example.org") { StartedAt = started };
        var pastDue = new MonthlyGift(Amount: 2000, Email: "past-due@example.org") { StartedAt = started };
        var leaving = new MonthlyGift(Amount: 2000, Email: "leaving@example.org") { StartedAt = started };
        // What each member gave a month from when, and whether they were paying: the page must agree at every month's end.
        var timeline = new (MonthlyGift Member, DateTimeOffset From, long Amount, bool Paying)[]
        {
            (raised, started, 2000, true), (paused, started, 2000, true), (pastDue, started, 2000, true),
            (pastDue, MidMonth(3), 2000, false), (pastDue, MidMonth(2), 2000, true),
            (raised, MidMonth(2), 5000, true),
            (paused, MidMonth(2), 2000, false), (paused, MidMonth(1), 2000, true),
            // Asked last month to stop at the end of the period, which has not come yet: still paying.
            (leaving, started, 2000, true),
        };
        await app.DeliverAndProcessAsync(raised.CheckoutCompleted(), paused.CheckoutCompleted(), pastDue.CheckoutCompleted(), leaving.CheckoutCompleted());
        await app.DeliverAndProcessAsync(raised.SubscriptionCreated(), paused.SubscriptionCreated(), pastDue.SubscriptionCreated(), leaving.SubscriptionCreated());
        // A renewal fails (past due), and is paid a month later; the donor raises the amount in the portal; another pauses, then resumes.
        await app.DeliverAndProcessAsync(pastDue.InvoicePaymentFailed(2, created: MidMonth(3)));
        await app.DeliverAndProcessAsync(
            pastDue.Subscription("customer.subscription.updated", "active", MidMonth(2), paidMonths: 3),
            raised.Subscription("customer.subscription.updated", "active", MidMonth(2), amount: 5000),
            PauseCollection(paused.Subscription("customer.subscription.updated", "active", MidMonth(2))));
        await app.DeliverAndProcessAsync(paused.Subscription("customer.subscription.updated", "active", MidMonth(1)));
        // Stripe stamps canceled_at when the cancellation is asked for, ended_at only when it takes effect.
        var asked = JsonNode.Parse(leaving.Subscription("customer.subscription.updated", "active", MidMonth(1), cancelAtPeriodEnd: true))!;
        asked["data"]!["object"]!["canceled_at"] = MidMonth(1).ToUnixTimeSeconds();
        await app.DeliverAndProcessAsync(asked.ToJsonString());
        await app.WaitForIdleJobsAsync();
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var html = await finance.GetStringAsync("/staff/revenue");

        var bars = LabelledBars(Figure(html, "recurring-usd"));
        foreach (var monthsAgo in new[] { 4, 3, 2, 1, 0 })
        {
            var end = MonthEnd(MidMonth(monthsAgo));
            var expected = timeline.GroupBy(t => t.Member)
                .Select(g => g.Where(t => t.From < end).OrderBy(t => t.From).Last())
                .Where(t => t.Paying).Sum(t => t.Amount);
            Assert.True(bars[MonthOf(MidMonth(monthsAgo))] == expected,
                $"{MonthOf(MidMonth(monthsAgo))}: expected {expected}, the page shows {bars[MonthOf(MidMonth(monthsAgo))]}");
        }
        Assert.NotEqual(bars[MonthOf(MidMonth(3))], bars[MonthOf(MidMonth(0))]);
    }

    /// <summary>The subscription event with Stripe's <c>pause_collection</c> set (invoices voided, nothing charged).</summary>
    private static string PauseCollection(string subscriptionEvent)
    {
        var e = JsonNode.Parse(subscriptionEvent)!;
        e["data"]!["object"]!["pause_collection"] = new JsonObject { ["behavior"] = "void", ["resumes_at"] = null };
        return e.ToJsonString();
    }

    private static (int New, int Upgraded, int Cancelled, int FailedPayments) MemberMonth(string html, string month)
    {
        var m = Regex.Match(html, $"<tr><td>{month}</td><td class=\"n\">(\\d+)</td><td class=\"n\">(\\d+)</td><td class=\"n\">(\\d+)</td><td class=\"n\">(\\d+)</td>");
        Assert.True(m.Success, $"no members row for {month}");
        return (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value));
    }

    private static Dictionary<string, long> LabelledBars(string figure) =>
        LabelledBar().Matches(figure).ToDictionary(m => m.Groups[2].Value, m => long.Parse(m.Groups[1].Value));

    [GeneratedRegex("<rect class=\"bar\"[^>]*data-value=\"(-?\\d+)\"><title>([^:<]+):")]
    private static partial Regex LabelledBar();
}
