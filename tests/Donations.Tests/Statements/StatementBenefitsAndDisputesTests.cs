using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Statements;

/// <summary>How a statement shows member benefits (deducted per payment, or disregarded) and open disputes, in text, HTML and PDF.</summary>
public sealed class StatementBenefitsAndDisputesTests
{
    private static DateTime Utc(int y, int mo, int d) => new(y, mo, d, 17, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Statement_deducts_goods_per_payment_marks_disregarded_benefits_fully_deductible_and_flags_an_open_dispute()
    {
        await using var app = await DonationsApp.StartAsync();
        var ada = await app.DonorAsync("Ada Lovelace", "ada-benefits@example.com");
        await app.GiftAsync(ada, Utc(2025, 2, 1), 10000, frequency: DonationFrequency.Monthly, benefitsValue: 2000, benefits: "Signed print");
        await app.GiftAsync(ada, Utc(2025, 3, 1), 30000, frequency: DonationFrequency.Monthly, benefitsValue: 500, benefits: "Tote bag");
        await app.GiftAsync(ada, Utc(2025, 4, 1), 4000);
        await app.GiftAsync(ada, Utc(2025, 5, 1), 10000, frequency: DonationFrequency.Monthly, benefitsValue: 2000, benefits: "Signed print");
        await app.WithDbAsync(async db =>
        {
            await db.Donations.Where(d => d.DonorId == ada && d.BenefitsDescription == "Tote bag")
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.BenefitsTreatment, BenefitsTreatment.Insubstantial));
            return await db.Donations.Where(d => d.DonorId == ada && d.Amount == 4000)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.DisputeStatus, "needs_response").SetProperty(d => d.Status, DonationStatus.Disputed));
        });

        await app.RunStatementsAsync(2025);

        var message = Assert.Single(app.Statements());
        foreach (var reading in message.Readings())
        {
            Assert.Contains("for this payment: Signed print, fair market value $20.00; deductible $80.00", reading);
            Assert.Contains("Tote bag; disregarded under IRS rules; fully deductible", reading);
            Assert.Contains("DISPUTED: this payment is disputed with your bank and may yet be reversed", reading);
            Assert.Contains("Gifts marked DISPUTED are counted in the totals while the dispute is open", reading);
            // $100 + $300 + $40 + $100, less two $20 prints: the tote bag is not deducted, nor counted in the year's value.
            Assert.Contains("Fair market value of goods or services received: $40.00 USD", reading);
            Assert.Contains("Deductible total: $500.00 USD", reading);
            Assert.DoesNotContain("No goods or services were provided in exchange for these contributions", reading);
        }
    }

    [Fact]
    public async Task Statement_of_a_donor_known_only_by_email_names_them_once()
    {
        await using var app = await DonationsApp.StartAsync();
        var donor = await app.WithDbAsync(async db =>
        {
            var d = new Donor { Email = "only-email@example.com", CreatedAt = DateTime.UtcNow };
            db.Donors.Add(d);
            await db.SaveChangesAsync();
            return d.Id;
        });
        await app.GiftAsync(donor, Utc(2025, 5, 1), 2500);

        await app.RunStatementsAsync(2025);

        foreach (var reading in Assert.Single(app.Statements()).Readings())
        {
            Assert.Contains("Donor: only-email@example.com", reading);
            Assert.DoesNotContain("only-email@example.com (only-email@example.com)", reading);
        }
    }
}
