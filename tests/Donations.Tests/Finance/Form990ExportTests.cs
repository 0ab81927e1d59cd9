using System.Net;
using Donations.Api.Features.Staff;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using static Donations.Tests.Finance.FinanceBooks;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Finance;

/// <summary>Form 990 Part V lines 7a–b: the year's quid-pro-quo payments over $75, for staff, as CSV.</summary>
public sealed class Form990ExportTests
{
    // Noon in New York on a day of 2025.
    private static DateTime In2025(int month, int day) => new(2025, month, day, 17, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Form_990_export_counts_the_years_payments_over_75_dollars_with_deducted_goods_per_currency_and_how_many_were_disclosed()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        void Goods(Donation d, long amount, long benefits, DateTime at)
        {
            d.Amount = amount;
            d.BenefitsValue = benefits;
            d.BenefitsDescription = "Signed print";
            d.ReceivedAt = at;
        }
        // Counted: $100 with $20 of goods, its receipt sent (disclosed).
        await app.SeedAsync(d =>
        {
            Goods(d, 10000, 2000, In2025(3, 1));
            d.Receipts.Add(new Receipt
            {
                Number = "2025-000001", Year = 2025, Sequence = 1, Kind = ReceiptKind.Original, Status = ReceiptStatus.Sent,
                Amount = 10000, Currency = "usd", DeductibleAmount = 8000, MessageId = "r1@example.org", IssuedAt = In2025(3, 1), SentAt = In2025(3, 1),
            });
        });
        // Counted as paid, though half was refunded later: the threshold is on the payment as made. Not
        // disclosed: its receipt went out while its goods were still disregarded (within 2% of what was
        // given before the refund), and the correction that deducts them has not gone out yet.
        await app.SeedAsync(d =>
        {
            Goods(d, 10000, 2000, In2025(4, 1));
            d.RefundedAmount = 5000;
            d.Status = DonationStatus.PartiallyRefunded;
            d.Receipts.Add(new Receipt
            {
                Number = "2025-000002", Year = 2025, Sequence = 2, Kind = ReceiptKind.Original, Status = ReceiptStatus.Sent,
                Amount = 10000, Currency = "usd", DeductibleAmount = 10000, MessageId = "r2@example.org", IssuedAt = In2025(4, 1), SentAt = In2025(4, 1),
            });
        });
        // Not counted: exactly $75; insubstantial benefits; refunded in full; another year.
        await app.SeedAsync(d => Goods(d, 7500, 1000, In2025(5, 1)));
        await app.SeedAsync(d => { Goods(d, 30000, 500, In2025(6, 1)); d.BenefitsTreatment = BenefitsTreatment.Insubstantial; });
        await app.SeedAsync(d => { Goods(d, 10000, 2000, In2025(7, 1)); d.RefundedAmount = 10000; d.Status = DonationStatus.Refunded; });
        await app.SeedAsync(d => Goods(d, 10000, 2000, new DateTime(2025, 1, 1, 4, 0, 0, DateTimeKind.Utc))); // 31 December 2024 in New York
        // €80 settled as $86.58: counted. €90 not yet settled: reported as unknown, not guessed.
        var euros = await app.SeedAsync(d => { Goods(d, 8000, 2000, In2025(8, 1)); d.Currency = "eur"; });
        await app.SeedAsync(d => { Goods(d, 9000, 2000, In2025(9, 1)); d.Currency = "eur"; });
        await app.WithDbAsync(async db =>
        {
            db.StripeBalanceTransactions.Add(new StripeBalanceTransaction
            {
                Id = "txn_eur", Type = "charge", ReportingCategory = "charge", DonationId = euros, Amount = 8658, Fee = 300, Net = 8358,
                Currency = "usd", ExchangeRate = 1.08225m, CreatedAt = In2025(8, 1), AvailableOn = In2025(8, 3), FetchedAt = In2025(8, 1),
            });
            await db.SaveChangesAsync();
        });
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        var response = await finance.GetAsync("/api/finance/form990.csv?year=2025");
        var rows = Rows(await response.Content.ReadAsStringAsync()).ToDictionary(r => r["currency"]);

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var usd = rows["usd"];
        Assert.Equal(("2025", "2", "200.00", "40.00", "110.00", "200.00", "1", "0"),
            (usd["year"], usd["payments"], usd["amount"], usd["benefits_value"], usd["deductible_amount"], usd["usd_amount"], usd["disclosed"], usd["usd_unknown"]));
        var eur = rows["eur"];
        Assert.Equal(("1", "80.00", "20.00", "60.00", "86.58", "0", "1"),
            (eur["payments"], eur["amount"], eur["benefits_value"], eur["deductible_amount"], eur["usd_amount"], eur["disclosed"], eur["usd_unknown"]));
    }

    [Fact]
    public async Task Form_990_export_is_for_staff_only_and_asks_for_a_year()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        Assert.NotEqual(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/api/finance/form990.csv?year=2025")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await finance.GetAsync("/api/finance/form990.csv")).StatusCode);
        var empty = await finance.GetStringAsync("/api/finance/form990.csv?year=2024");
        Assert.Equal("year,currency,payments,amount,benefits_value,deductible_amount,usd_amount,disclosed,usd_unknown\r\n", empty);
    }
}
