using System.Text.Json.Nodes;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Receipts;

/// <summary>
/// A gift's date can move after its receipt went out: a later event knows the day the donor really
/// paid. The receipt sent then is corrected (a numbered correction referencing it) so that the
/// donor's receipt and statement agree on the date, and so on the tax year.
/// </summary>
public sealed class ReceiptDateCorrectionTests
{
    [Fact]
    public async Task A_monthly_bank_debit_receipted_on_3_January_is_corrected_to_30_December_when_Checkout_tells_the_earlier_date()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        // Started at noon in New York on 30 December 2025; the debit settled on 3 January 2026.
        var started = new DateTimeOffset(2025, 12, 30, 17, 2, 0, TimeSpan.Zero);
        var settled = new DateTimeOffset(2026, 1, 3, 15, 0, 0, TimeSpan.Zero);
        var gift = new MonthlyGift(Amount: 2000, Email: "debit-dated@example.org") { StartedAt = started };
        var unpaid = JsonNode.Parse(gift.CheckoutCompleted(created: started))!;
        unpaid["data"]!["object"]!["payment_status"] = "unpaid";
        // The invoice as a webhook carries it: no payments list, paid when the debit settled; and
        // Stripe's Invoice Payments lookup failing, so only the payment date is known.
        var invoice = JsonNode.Parse(gift.InvoicePaid(1, includePayments: false, created: settled))!;
        invoice["data"]!["object"]!["status_transitions"]!["paid_at"] = settled.ToUnixTimeSeconds();
        app.Stripe.On("GET", "/v1/invoice_payments", _ => StripeReply.Error(500, "api_error", "Stripe is down"));
        var succeeded = JsonNode.Parse(gift.CheckoutCompleted(created: settled))!;
        succeeded["type"] = "checkout.session.async_payment_succeeded";

        await app.DeliverAndProcessAsync(unpaid.ToJsonString(), invoice.ToJsonString());
        var first = (await MailToAsync(app, "debit-dated@example.org", 1)).Single();
        first.AssertSaysEverywhere("January 3, 2026");
        Assert.StartsWith("2026-", first.Number);

        await app.DeliverAndProcessAsync(succeeded.ToJsonString());
        var mail = await MailToAsync(app, "debit-dated@example.org", 2);

        var correction = mail.Single(m => m.Number != first.Number);
        correction.AssertSaysEverywhere("Corrected donation receipt", "replaces receipt " + first.Number, "December 30, 2025",
            "not on January 3, 2026 as that receipt stated", "$20.00 USD");
        // Numbered in the year the gift now belongs to, like the statement that lists it.
        Assert.StartsWith("2025-", correction.Number);
        var receipts = await app.WithDbAsync(db => db.Receipts.OrderBy(r => r.Id).ToListAsync());
        Assert.Equal([(ReceiptKind.Original, ReceiptStatus.Voided), (ReceiptKind.Correction, ReceiptStatus.Sent)],
            receipts.Select(r => (r.Kind, r.Status)));
        Assert.Equal(receipts[0].Id, receipts[1].ReplacesReceiptId);

        // Running the reconciliation again changes nothing: the correction states the date that stands.
        await app.ReconcileAsync(receipts[0].DonationId);
        await app.WaitForIdleJobsAsync();
        Assert.Equal(2, await app.WithDbAsync(db => db.Receipts.CountAsync()));
    }

    [Fact]
    public async Task A_gift_whose_date_moves_within_the_year_gets_a_correction_stating_the_date_the_donor_paid()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync(d => d.ReceivedAt = Gifts.March3, email: "moved-in-year@example.org");
        await app.ReconcileAsync(id);
        await app.SendPendingAsync();

        // A later event knew the donor paid on 27 February: same year, same amount.
        await app.WithDbAsync(async db =>
        {
            var d = await db.Donations.SingleAsync(x => x.Id == id);
            d.ReceivedAt = new DateTime(2026, 2, 27, 15, 0, 0, DateTimeKind.Utc);
            await db.SaveChangesAsync();
        });
        await app.ReconcileAsync(id);
        await app.SendPendingAsync();

        var mail = app.Smtp!.Messages.Select(ReceiptEmail.From).OrderBy(m => m.Number, StringComparer.Ordinal).ToList();
        Assert.Equal(2, mail.Count);
        mail[0].AssertSaysEverywhere("March 3, 2026");
        mail[1].AssertSaysEverywhere("Corrected donation receipt", "replaces receipt " + mail[0].Number,
            "your contribution was made on February 27, 2026, not on March 3, 2026 as that receipt stated", "Amount: $25.00 USD");
    }

    [Fact]
    public async Task A_new_time_zone_setting_issues_no_correction_for_a_gift_whose_date_did_not_move()
    {
        // 22:00 on 31 December 2025 in New York, already 1 January 2026 in London.
        var lateEvening = new DateTime(2026, 1, 1, 3, 0, 0, DateTimeKind.Utc);
        await using var newYork = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await newYork.SeedAsync(d => d.ReceivedAt = lateEvening, email: "zone-moved@example.org");
        await newYork.ReconcileAsync(id);
        await newYork.SendPendingAsync();
        ReceiptEmail.From(newYork.Smtp!.Messages.Single()).AssertSaysEverywhere("December 31, 2025");

        // The organisation's time zone setting changes; the gift does not. A later reconciliation (a
        // refund's, the sweeper's) finds the receipt still states the day the donor paid, on its calendar.
        await using var london = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.HangfireServer = false;
            o.ConnectionString = newYork.ConnectionString;
            o.Settings["Organization:TimeZone"] = "Europe/London";
        });
        await london.ReconcileAsync(id);
        await london.SendPendingAsync();

        Assert.Equal(1, await london.WithDbAsync(db => db.Receipts.CountAsync()));
        Assert.Empty(london.Smtp!.Messages);
    }

    [Fact]
    public async Task A_receipt_stored_before_its_facts_were_kept_is_corrected_for_the_year_its_gift_moved_into_not_for_its_benefits()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        var id = await app.SeedAsync(d => d.ReceivedAt = new DateTime(2026, 1, 3, 15, 0, 0, DateTimeKind.Utc), email: "factless@example.org");
        await app.ReconcileAsync(id);
        await app.SendPendingAsync();
        // As an older version kept it: the PDF, no facts.
        await app.WithDbAsync(async db =>
        {
            await db.ReceiptDocuments.ExecuteUpdateAsync(s => s.SetProperty(d => d.Facts, (string?)null));
            var d = await db.Donations.SingleAsync(x => x.Id == id);
            d.ReceivedAt = new DateTime(2025, 12, 30, 17, 0, 0, DateTimeKind.Utc);
            await db.SaveChangesAsync();
        });

        await app.ReconcileAsync(id);
        await app.SendPendingAsync();

        var mail = app.Smtp!.Messages.Select(ReceiptEmail.From).OrderBy(m => m.Number, StringComparer.Ordinal).ToList();
        Assert.Equal(2, mail.Count);
        var correction = mail.Single(m => m.Number.StartsWith("2025-", StringComparison.Ordinal));
        correction.AssertSaysEverywhere("Corrected donation receipt", "December 30, 2025", "not on a date in 2026 as that receipt stated");
        correction.AssertSaysNowhere("determined again under IRS rules");
    }

    private static async Task<List<ReceiptEmail>> MailToAsync(DonationsApp app, string email, int count)
    {
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count(m => m.To.Mailboxes.Any(a => a.Address == email)) >= count),
            TimeSpan.FromSeconds(30), $"{count} email(s) to {email}");
        return app.Smtp!.Messages.Where(m => m.To.Mailboxes.Any(a => a.Address == email)).Select(ReceiptEmail.From).ToList();
    }
}
