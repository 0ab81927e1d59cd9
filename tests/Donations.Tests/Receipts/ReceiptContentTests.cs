using Donations.Data.Entities;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Receipts;

/// <summary>What IRS Publication 1771 asks a receipt to say, checked in the text, HTML and PDF.</summary>
public sealed class ReceiptContentTests(ReceiptsApp fixture) : IClassFixture<ReceiptsApp>
{
    private const string NoGoods = "No goods or services were provided in exchange for this contribution.";
    private const string KeepIt = "Please keep this receipt for your tax records.";

    [Fact]
    public async Task One_time_gift_receipt_carries_every_required_statement()
    {
        var app = fixture.App;
        var id = await app.SeedAsync(name: "Ada Lovelace");
        var email = await app.EmailOfAsync(id);

        app.ScheduleReceipts(id);

        var receipt = Assert.Single(await fixture.MailToAsync(email));
        Assert.Matches(@"^2026-\d{6}$", receipt.Number);
        Assert.Contains(receipt.Number, receipt.Message.Subject);
        receipt.AssertSaysEverywhere(
            "Example Journal Foundation, Inc.",
            "12-3456789",
            "Section 501(c)(3) of the Internal Revenue Code",
            "100 Main Street, Springfield, MA 01101",
            "Ada Lovelace",
            email,
            "March 3, 2026",
            "$25.00 USD",
            "One-time gift",
            receipt.Number,
            NoGoods,
            KeepIt,
            "Jane Doe, Executive Director");
        receipt.AssertSaysNowhere("Monthly gift", "fair market value", "processing fees", "COPY");
        Assert.Equal("donations@example.org", receipt.Message.From.Mailboxes.Single().Address);
        Assert.Equal($"receipt-{receipt.Number}.pdf", receipt.Message.Attachments.Single().ContentDisposition?.FileName);
    }

    [Fact]
    public async Task Monthly_gift_with_member_benefits_states_their_value_and_the_deductible_amount()
    {
        var app = fixture.App;
        var id = await app.SeedAsync(d =>
        {
            d.Frequency = DonationFrequency.Monthly;
            d.Amount = 5000;
            d.BenefitsValue = 500;
            d.BenefitsDescription = "Quarterly print edition and annual tote bag";
            d.SettlementKey = "in:in_" + Guid.NewGuid().ToString("N");
        });
        var email = await app.EmailOfAsync(id);

        app.ScheduleReceipts(id);

        var receipt = Assert.Single(await fixture.MailToAsync(email));
        receipt.AssertSaysEverywhere(
            "$50.00 USD",
            "Monthly gift",
            "Quarterly print edition and annual tote bag",
            "fair market value of these goods or services is $5.00",
            "Deductible amount: $45.00",
            "limited to the excess of the amount contributed over the value of goods or services provided",
            KeepIt);
        receipt.AssertSaysNowhere(NoGoods, "One-time gift");
    }

    [Fact]
    public async Task Monthly_gift_of_14_30_with_a_covered_fee_lands_in_no_15_dollar_tier()
    {
        var gift = new MonthlyGift(Amount: 1504, Email: "covered-fee@example.org",
            Metadata: new Dictionary<string, string> { ["origin"] = "donate_page", ["frequency"] = "monthly", ["cover_fee"] = "true", ["fee_amount"] = "74" });

        await fixture.App.DeliverAsync(gift.CheckoutCompleted(), gift.InvoicePaid(1));

        var receipt = Assert.Single(await fixture.MailToAsync("covered-fee@example.org"));
        receipt.AssertSaysEverywhere("$15.04 USD", "Monthly gift", "This amount includes $0.74 you added to cover payment processing fees.", NoGoods);
        receipt.AssertSaysNowhere("Quarterly print edition", "Deductible amount: $13.04");
    }

    [Fact]
    public async Task Bank_debit_started_on_30_December_and_settled_on_3_January_is_a_gift_of_the_old_year()
    {
        // Checkout opened at noon in New York on 30 December; the debit settles on 3 January.
        var gift = new OneTimeGift(Amount: 5000, Email: "bank-debit@example.org") { PaidAt = new DateTimeOffset(2025, 12, 30, 17, 2, 0, TimeSpan.Zero) };

        await fixture.App.DeliverAsync(
            gift.CheckoutCompleted(paymentStatus: "unpaid"),
            gift.CheckoutCompleted(created: new DateTimeOffset(2026, 1, 3, 15, 0, 0, TimeSpan.Zero), type: "checkout.session.async_payment_succeeded"));

        var receipt = Assert.Single(await fixture.MailToAsync("bank-debit@example.org"));
        Assert.StartsWith("2025-", receipt.Number);
        receipt.AssertSaysEverywhere("Date of contribution: December 30, 2025", "$50.00 USD");
        receipt.AssertSaysNowhere("January 3, 2026");
    }

    [Fact]
    public async Task Donor_known_only_by_email_is_named_once()
    {
        var app = fixture.App;
        var id = await app.SeedAsync(name: null);
        var email = await app.EmailOfAsync(id);

        app.ScheduleReceipts(id);

        var receipt = Assert.Single(await fixture.MailToAsync(email));
        receipt.AssertSaysEverywhere("Donor: " + email);
        receipt.AssertSaysNowhere($"{email} ({email})");
    }

    [Fact]
    public async Task Covered_processing_fee_is_shown_as_part_of_the_gift()
    {
        var app = fixture.App;
        var id = await app.SeedAsync(d => { d.Amount = 2603; d.FeeCovered = true; d.FeeAmount = 103; });
        var email = await app.EmailOfAsync(id);

        app.ScheduleReceipts(id);

        var receipt = Assert.Single(await fixture.MailToAsync(email));
        receipt.AssertSaysEverywhere(
            "$26.03 USD",
            "This amount includes $1.03 you added to cover payment processing fees. It is part of your gift.",
            NoGoods);
    }

    [Fact]
    public async Task Yen_gift_is_printed_in_whole_yen()
    {
        var app = fixture.App;
        var id = await app.SeedAsync(d => { d.Amount = 5000; d.Currency = "jpy"; });
        var email = await app.EmailOfAsync(id);

        app.ScheduleReceipts(id);

        var receipt = Assert.Single(await fixture.MailToAsync(email));
        receipt.AssertSaysEverywhere("¥5,000 JPY", NoGoods);
        receipt.AssertSaysNowhere("¥50.00", "¥5,000.00");
    }

    [Fact]
    public async Task Gift_received_on_new_years_eve_in_New_York_belongs_to_the_old_year()
    {
        var app = fixture.App;
        // 03:00 UTC on 1 January is still 31 December in the organisation's time zone.
        var id = await app.SeedAsync(d => d.ReceivedAt = new DateTime(2027, 1, 1, 3, 0, 0, DateTimeKind.Utc));
        var email = await app.EmailOfAsync(id);

        app.ScheduleReceipts(id);

        var receipt = Assert.Single(await fixture.MailToAsync(email));
        Assert.StartsWith("2026-", receipt.Number);
        receipt.AssertSaysEverywhere("December 31, 2026");
    }

    [Fact]
    public async Task Partial_refund_issues_a_corrected_receipt_with_a_new_number_referencing_the_original()
    {
        var app = fixture.App;
        var id = await app.SeedAsync(d => d.Amount = 10000);
        var email = await app.EmailOfAsync(id);
        app.ScheduleReceipts(id);
        var original = Assert.Single(await fixture.MailToAsync(email));

        await app.RefundAsync(id, 4000);

        var mail = await fixture.MailToAsync(email, 2);
        var correction = mail.Single(m => m.Number != original.Number);
        Assert.True(string.CompareOrdinal(correction.Number, original.Number) > 0);
        Assert.Contains("Corrected", correction.Message.Subject);
        correction.AssertSaysEverywhere(
            "Corrected donation receipt " + correction.Number,
            "replaces receipt " + original.Number,
            "$40.00 of your gift of $100.00 was refunded",
            "Amount: $60.00 USD",
            NoGoods,
            KeepIt);
        Assert.Equal(original.Message.MessageId, correction.Message.InReplyTo);
        // The server accepts the message a moment before the sender marks it sent.
        List<Receipt> rows = [];
        await Wait.UntilAsync(async () =>
        {
            rows = await app.WithDbAsync(db => Task.FromResult(db.Receipts.Where(r => r.DonationId == id).OrderBy(r => r.Id).ToList()));
            return rows.Count == 2 && rows[1].Status != ReceiptStatus.Pending;
        }, TimeSpan.FromSeconds(30), "the correction to be marked sent");
        Assert.Equal([ReceiptStatus.Voided, ReceiptStatus.Sent], rows.Select(r => r.Status));
        Assert.Equal(rows[0].Id, rows[1].ReplacesReceiptId);
        Assert.Equal(6000, rows[1].Amount);
    }

    [Fact]
    public async Task Full_refund_voids_the_receipt_and_sends_one_short_notice()
    {
        var app = fixture.App;
        var id = await app.SeedAsync();
        var email = await app.EmailOfAsync(id);
        app.ScheduleReceipts(id);
        var original = Assert.Single(await fixture.MailToAsync(email));

        await app.RefundAsync(id, 2500);
        app.ScheduleReceipts(id);
        app.ScheduleReceipts(id);

        var notice = (await fixture.MailToAsync(email, 2)).Single(m => m.Number != original.Number);
        Assert.Contains($"Receipt {original.Number}", notice.Message.Subject);
        Assert.Contains("void", notice.Message.Subject);
        Assert.Contains($"Receipt {original.Number} is therefore void", notice.Text);
        Assert.Contains("refunded in full", notice.Text);
        Assert.Contains("$25.00 USD", notice.Text);
        // Kept as issued, like receipts: the notice's PDF says the same.
        Assert.NotNull(notice.Pdf);
        Assert.Contains($"Receipt {original.Number} is therefore void", notice.Pdf);
        var statuses = await app.WithDbAsync(db => Task.FromResult(db.Receipts.Where(r => r.DonationId == id).OrderBy(r => r.Id)
            .Select(r => new { r.Kind, r.Status, r.VoidedAt }).ToList()));
        Assert.Equal(ReceiptStatus.Voided, statuses[0].Status);
        Assert.NotNull(statuses[0].VoidedAt);
        Assert.Equal(ReceiptKind.VoidNotice, statuses[1].Kind);
        await app.WaitForIdleJobsAsync();
        Assert.Equal(2, fixture.To(email).Count);
    }

    [Fact]
    public async Task Lost_dispute_is_treated_like_a_full_refund()
    {
        var app = fixture.App;
        var id = await app.SeedAsync();
        var email = await app.EmailOfAsync(id);
        app.ScheduleReceipts(id);
        var original = Assert.Single(await fixture.MailToAsync(email));

        await app.WithDbAsync(async db =>
        {
            // As the dispute handler leaves it: the lost amount counts as refunded.
            var d = await db.Donations.FindAsync(id);
            d!.DisputeStatus = "lost";
            d.RefundedAmount = d.Amount;
            d.Status = DonationStatus.Refunded;
            await db.SaveChangesAsync();
        });
        app.ScheduleReceipts(id);

        var notice = (await fixture.MailToAsync(email, 2)).Single(m => m.Number != original.Number);
        Assert.Contains("reversed through a payment dispute", notice.Text);
        Assert.Contains($"Receipt {original.Number} is therefore void", notice.Html);
    }

    [Fact]
    public async Task A_refund_racing_the_first_receipt_still_ends_with_the_receipt_then_its_void_notice()
    {
        var app = fixture.App;
        var id = await app.SeedAsync();
        var email = await app.EmailOfAsync(id);

        app.ScheduleReceipts(id);
        await app.RefundAsync(id, 2500);

        var mail = await fixture.MailToAsync(email, 2);
        Assert.Contains("Your donation receipt", mail[0].Message.Subject);
        Assert.Contains($"Receipt {mail[0].Number}", mail[1].Message.Subject);
        Assert.Contains("void", mail[1].Message.Subject);
        await fixture.App.WaitForIdleJobsAsync();
        Assert.Equal(2, fixture.To(email).Count);
    }
}
