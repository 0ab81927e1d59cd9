using System.Net;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Staff;

public sealed class ExportTests
{
    private static readonly DateTime Nov25 = new(2026, 11, 25, 13, 40, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Donations_export_has_the_designed_columns_quoting_injection_guard_and_currency_exponents()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await app.WithDbAsync(async db =>
        {
            var ada = new Donor { Email = "ada@example.org", Name = "Lovelace, Ada \"Countess\"", CreatedAt = Nov25 };
            var formula = new Donor { Email = "=cmd@example.org", Name = "=HYPERLINK(\"http://x\")", CreatedAt = Nov25 };
            var taro = new Donor { Email = "taro@example.jp", Name = "Taro\r\nYamada", CreatedAt = Nov25 };
            var usd = new Donation
            {
                SettlementKey = "pi:pi_1", Donor = ada, Amount = 2575, Currency = "usd", Frequency = DonationFrequency.OneTime,
                Status = DonationStatus.PartiallyRefunded, RefundedAmount = 1000, FeeCovered = true, ReceivedAt = Nov25,
                StripePaymentIntentId = "pi_1", StripeChargeId = "ch_1", BenefitsValue = 500, BenefitsDescription = "Tote bag",
            };
            db.AddRange(usd,
                new Donation
                {
                    SettlementKey = "in:in_2", Donor = taro, Amount = 500, Currency = "jpy", Frequency = DonationFrequency.Monthly,
                    Status = DonationStatus.Succeeded, ReceivedAt = Nov25.AddHours(1), StripePaymentIntentId = "pi_2",
                    // Disregarded for the IRS (Rev. Proc. 90-12): listed, not taken off.
                    BenefitsValue = 5, BenefitsDescription = "Newsletter", BenefitsTreatment = BenefitsTreatment.Insubstantial,
                    StripeChargeId = "ch_2", StripeInvoiceId = "in_2", StripeSubscriptionId = "sub_2",
                },
                new Donation
                {
                    SettlementKey = "pi:pi_3", Donor = formula, Amount = 10000, Currency = "eur", Frequency = DonationFrequency.OneTime,
                    Status = DonationStatus.Disputed, ReceivedAt = Nov25.AddHours(2), StripePaymentIntentId = "pi_3",
                },
                new Receipt
                {
                    Number = "2026-000007", Year = 2026, Sequence = 7, Donation = usd, Kind = ReceiptKind.Original,
                    Status = ReceiptStatus.Sent, Amount = 2575, Currency = "usd", MessageId = "<r7@example.org>", IssuedAt = Nov25,
                },
                new Receipt
                {
                    Number = "2026-000009", Year = 2026, Sequence = 9, Donation = usd, Kind = ReceiptKind.Correction,
                    Status = ReceiptStatus.Sent, Amount = 1575, Currency = "usd", MessageId = "<r9@example.org>", IssuedAt = Nov25,
                });
            await db.SaveChangesAsync();
        });
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var answer = await finance.GetAsync("/api/finance/donations.csv");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("text/csv", answer.Content.Headers.ContentType!.MediaType);
        var ids = await app.WithDbAsync(db => Task.FromResult(db.Donations.OrderBy(d => d.ReceivedAt).Select(d => d.Id).ToList()));
        Assert.Equal(
            "donation_id,received_at,donor_email,donor_name,amount,currency,frequency,status,refunded_amount,fee_covered,"
            + "receipt_number,stripe_payment_intent,stripe_charge,stripe_invoice,stripe_subscription,"
            + "fee_amount,net_amount,settlement_currency,settlement_amount,exchange_rate,payout_id,benefits_value,deductible_amount,campaign,source,utm_medium,utm_content,utm_term\r\n"
            + $"{ids[0]},2026-11-25T13:40:00Z,ada@example.org,\"Lovelace, Ada \"\"Countess\"\"\",25.75,usd,one-time,partially_refunded,10.00,true,2026-000007,pi_1,ch_1,,,,,,,,,5.00,10.75,,,,,\r\n"
            + $"{ids[1]},2026-11-25T14:40:00Z,taro@example.jp,\"Taro\r\nYamada\",500,jpy,monthly,succeeded,0,false,,pi_2,ch_2,in_2,sub_2,,,,,,,5,500,,,,,\r\n"
            + $"{ids[2]},2026-11-25T15:40:00Z,'=cmd@example.org,\"'=HYPERLINK(\"\"http://x\"\")\",100.00,eur,one-time,disputed,0.00,false,,pi_3,,,,,,,,,,0.00,100.00,,,,,\r\n",
            await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Donations_export_range_is_utc_with_an_exclusive_end_and_rejects_nonsense()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await app.WithDbAsync(async db =>
        {
            var donor = new Donor { Email = "d@example.org", CreatedAt = Nov25 };
            foreach (var (key, at) in new[] { ("a", Nov25.Date.AddSeconds(-1)), ("b", Nov25.Date), ("c", Nov25), ("d", Nov25.Date.AddDays(1)) })
                db.Donations.Add(new Donation { SettlementKey = key, Donor = donor, Amount = 1000, Currency = "usd", ReceivedAt = at });
            await db.SaveChangesAsync();
        });
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var day = await finance.GetStringAsync("/api/finance/donations.csv?from=2026-11-25&to=2026-11-26");
        var instants = await finance.GetStringAsync("/api/finance/donations.csv?from=2026-11-25T00:00:01Z&to=2026-11-25T13:40:01%2B00:00");
        var backwards = await finance.GetAsync("/api/finance/donations.csv?from=2026-11-26&to=2026-11-25");
        var garbage = await finance.GetAsync("/api/finance/donations.csv?from=yesterday");

        Assert.Equal(["2026-11-25T00:00:00Z", "2026-11-25T13:40:00Z"], ReceivedAt(day));
        Assert.Equal(["2026-11-25T13:40:00Z"], ReceivedAt(instants));
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Contains("yyyy-MM-dd", await garbage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Members_export_lists_every_monthly_gift_with_its_tier_and_period()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        await app.WithDbAsync(async db =>
        {
            var donor = new Donor { Email = "grace@example.org", Name = "Grace Hopper", CreatedAt = Nov25 };
            db.Memberships.Add(new Membership
            {
                Donor = donor, StripeSubscriptionId = "sub_9", Status = "active", MonthlyAmount = 1500, Currency = "usd",
                Tier = "Supporter", StartedAt = Nov25, CurrentPeriodEnd = Nov25.AddMonths(1), CreatedAt = Nov25, LastEventAt = Nov25,
            });
            await db.SaveChangesAsync();
        });
        var admin = await SignedInAsync(app, StaffRoles.Admin);

        var csv = await admin.GetStringAsync("/api/finance/members.csv");

        Assert.Equal(
            "email,name,tier,monthly_amount,currency,status,since,current_period_end,stripe_subscription,interval,paused_until,benefits_declined,cancel_reason\r\n"
            + "grace@example.org,Grace Hopper,Supporter,15.00,usd,active,2026-11-25T13:40:00Z,2026-12-25T13:40:00Z,sub_9,month,,false,\r\n",
            csv);
    }

    private static string[] ReceivedAt(string csv) =>
        csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[1]).ToArray();
}
