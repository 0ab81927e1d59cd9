using System.Net;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Staff;

public sealed class StaffHomeTests
{
    [Fact]
    public async Task Staff_home_shows_todays_and_this_months_totals_recent_gifts_and_what_failed()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var now = DateTime.UtcNow;
        await app.WithDbAsync(async db =>
        {
            var donor = new Donor { Email = "reader@example.org", CreatedAt = now };
            var today = new Donation { SettlementKey = "a", Donor = donor, Amount = 2500, Currency = "usd", ReceivedAt = now };
            db.AddRange(today,
                new Donation { SettlementKey = "b", Donor = donor, Amount = 1000, RefundedAmount = 400, Currency = "usd", ReceivedAt = now },
                new Donation { SettlementKey = "c", Donor = donor, Amount = 700, Currency = "jpy", ReceivedAt = now },
                new Donation { SettlementKey = "old", Donor = donor, Amount = 99900, Currency = "usd", ReceivedAt = now.AddDays(-45) },
                new Receipt
                {
                    Number = "2026-000001", Donation = today, Status = ReceiptStatus.Failed, Currency = "usd",
                    MessageId = "<r1@example.org>", IssuedAt = now,
                });
            await db.SaveChangesAsync();
        });
        app.Services.GetRequiredService<IBackgroundJobClient>()
            .Create(() => NeverRetriedJob.Run(), new FailedState(new InvalidOperationException("boom")));
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var answer = await finance.GetAsync("/staff");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Contains("Example Journal — staff", html);
        Assert.Contains("<td>JPY</td><td class=\"n\">700</td><td class=\"n\">1</td>", html);
        Assert.Contains("<td>USD</td><td class=\"n\">31.00</td><td class=\"n\">2</td>", html);
        Assert.Contains("<strong id=\"failed-jobs\">1</strong>", html);
        Assert.Contains("<strong id=\"failed-receipts\">1</strong>", html);
        Assert.Contains("reader@example.org", html);
        Assert.Contains("href=\"/hangfire\"", html);
        Assert.Contains("href=\"/api/finance/donations.csv\"", html);
        Assert.Contains("action=\"/staff/logout\"", html);
        Assert.DoesNotContain("999.00", html[..html.IndexOf("Recent donations", StringComparison.Ordinal)]);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
    }
}
