using Donations.Tests.Infrastructure;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using static Donations.Tests.Receipts.MemberBenefitsApp;

namespace Donations.Tests.Receipts;

/// <summary>
/// Monthly members paid through signed webhooks, their receipts read as the donor reads them (text,
/// HTML and PDF): benefits are deducted only when the IRS says so, and the receipt says why not.
/// </summary>
public sealed class MemberBenefitsTests(MemberBenefitsApp fixture) : IClassFixture<MemberBenefitsApp>
{
    private async Task<ReceiptEmail> FirstReceiptOfAsync(long amount, string email, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var gift = new MonthlyGift(Amount: amount, Email: email, Metadata: metadata);
        await fixture.App.DeliverAsync(gift.CheckoutCompleted(), gift.InvoicePaid(1));
        return Assert.Single(await fixture.MailToAsync(email));
    }

    [Fact]
    public async Task A_300_dollar_monthly_payment_with_a_5_dollar_benefit_is_fully_deductible_as_an_insubstantial_benefit()
    {
        var receipt = await FirstReceiptOfAsync(30000, "benefactor@example.org");

        receipt.AssertSaysEverywhere(
            "$300.00 USD",
            PrintAndTote,
            "Under Internal Revenue Service guidelines, the estimated value of the benefits received is not substantial; " + FullyDeductible,
            "Deductible amount: $300.00");
        receipt.AssertSaysNowhere(NoGoods, QuidProQuo, "$295.00");
    }

    [Fact]
    public async Task A_partial_refund_judges_the_benefits_again_on_what_is_left_given_and_the_corrected_receipt_deducts_them()
    {
        // $5 is within 2% of $300, not of the $100 left after $200 is refunded.
        var gift = new MonthlyGift(Amount: 30000, Email: "refunded-benefactor@example.org");
        await fixture.App.DeliverAsync(gift.CheckoutCompleted(), gift.InvoicePaid(1));
        Assert.Single(await fixture.MailToAsync(gift.Email));

        await fixture.App.DeliverAsync(gift.Refunded(1, 20000));

        AssertDeductsThePatronGoodsFromTheHundredLeft((await fixture.MailToAsync(gift.Email, 2))[1]);
    }

    [Fact]
    public async Task A_dispute_lost_in_part_judges_the_benefits_again_on_what_is_left_given_and_the_corrected_receipt_deducts_them()
    {
        // As a partial refund: $5 is within 2% of $300, not of the $100 the bank left after a $200 chargeback.
        var gift = new MonthlyGift(Amount: 30000, Email: "disputed-benefactor@example.org");
        await fixture.App.DeliverAsync(gift.CheckoutCompleted(), gift.InvoicePaid(1));
        Assert.Single(await fixture.MailToAsync(gift.Email));
        var (_, paymentIntent, charge) = gift.Month(1);
        var closed = DateTimeOffset.UtcNow;

        await fixture.App.DeliverAsync(StripeEventFactory.Event("charge.dispute.closed",
            StripeEventFactory.Dispute(StripeEventFactory.NewId("dp"), charge, paymentIntent, 20000, "usd", "lost", closed.AddDays(-8)), closed));

        AssertDeductsThePatronGoodsFromTheHundredLeft((await fixture.MailToAsync(gift.Email, 2))[1]);
    }

    [Fact]
    public async Task A_paid_invoice_lower_than_the_checkout_said_judges_the_benefits_again_on_the_amount_paid()
    {
        // Checkout said $300 ($5 of benefits disregarded within 2%); the paid invoice, which sets the
        // amount, says $100, of which $5 is more than 2%: the benefits are deducted after all.
        var gift = new MonthlyGift(Amount: 30000, Email: "lower-invoice@example.org");
        await fixture.App.DeliverAsync(gift.CheckoutCompleted());
        await fixture.App.DeliverAsync((gift with { Amount = 10000 }).InvoicePaid(1));

        await Wait.UntilAsync(async () => await fixture.App.WithDbAsync(db => db.Receipts
                .Where(r => r.Donation!.Donor!.Email == gift.Email && r.Status == ReceiptStatus.Sent)
                .OrderByDescending(r => r.Id).Select(r => (long?)r.DeductibleAmount).FirstOrDefaultAsync()) == 9500,
            TimeSpan.FromSeconds(30), "a receipt for the $100 paid that deducts the $5 of benefits");
        var gifts = await fixture.App.WithDbAsync(db => db.Donations.Where(d => d.Donor!.Email == gift.Email)
            .Select(d => new { d.Amount, d.BenefitsValue, d.BenefitsTreatment }).ToListAsync());
        Assert.Equal((10000L, 500L, BenefitsTreatment.Deducted), Assert.Single(gifts.Select(g => (g.Amount, g.BenefitsValue, g.BenefitsTreatment))));
    }

    [Fact]
    public async Task A_6_dollar_monthly_membership_privileges_tier_is_fully_deductible_under_the_membership_exception()
    {
        var receipt = await FirstReceiptOfAsync(600, "friend@example.org");

        receipt.AssertSaysEverywhere(
            "$6.00 USD",
            Admission,
            "membership privileges received for payments of $75 or less a year may be disregarded; " + FullyDeductible,
            "Deductible amount: $6.00");
        receipt.AssertSaysNowhere(NoGoods, QuidProQuo, "$3.00");
    }

    [Fact]
    public async Task A_100_dollar_monthly_payment_with_20_dollars_of_goods_deducts_them_for_each_monthly_payment()
    {
        var receipt = await FirstReceiptOfAsync(10000, "sponsor@example.org");

        receipt.AssertSaysEverywhere(
            "$100.00 USD",
            "Goods or services provided in return for each monthly payment: " + SignedPrint,
            "Our good-faith estimate of the fair market value of these goods or services is $20.00 for each monthly payment.",
            QuidProQuo,
            "Deductible amount: $80.00");
        receipt.AssertSaysNowhere(NoGoods, "not substantial", "in exchange for this contribution");
    }

    [Fact]
    public async Task A_600_dollar_monthly_payment_with_12_dollars_of_goods_deducts_them_because_the_year_of_them_is_over_the_cap()
    {
        // 2% of each payment exactly, but $144 of goods over the year's payments: over 2026's $139.
        var receipt = await FirstReceiptOfAsync(60000, "patron@example.org");

        receipt.AssertSaysEverywhere(
            "$600.00 USD",
            "Goods or services provided in return for each monthly payment: " + AnnualBook,
            "Our good-faith estimate of the fair market value of these goods or services is $12.00 for each monthly payment.",
            QuidProQuo,
            "Deductible amount: $588.00");
        receipt.AssertSaysNowhere("not substantial");
    }

    [Fact]
    public async Task An_annual_member_whose_only_benefit_is_a_logo_mug_gets_the_token_item_exception_from_2026s_minimum_payment()
    {
        // $13.20 of mugs a year is far over 2% of $69.50, but within 2026's $13.90 low-cost article,
        // for a payment of at least $69.50; $69.00 is short of it.
        var annual = new Dictionary<string, string> { ["origin"] = "donate_page", ["frequency"] = "annual" };
        var at = await FirstReceiptOfAsync(6950, "champion-at@example.org", annual);
        var below = await FirstReceiptOfAsync(6900, "champion-below@example.org", annual);

        at.AssertSaysEverywhere(
            "$69.50 USD",
            LogoMug,
            "Under Internal Revenue Service guidelines, the estimated value of the benefits received is not substantial; " + FullyDeductible,
            "Deductible amount: $69.50");
        at.AssertSaysNowhere(QuidProQuo);
        below.AssertSaysEverywhere(
            "Our good-faith estimate of the fair market value of these goods or services is $13.20 for each annual payment.",
            "Deductible amount: $55.80");
        below.AssertSaysNowhere("not substantial");
    }

    [Fact]
    public async Task Benefits_valued_at_nothing_are_listed_and_never_called_no_goods_or_services()
    {
        var receipt = await FirstReceiptOfAsync(500, "reader@example.org");

        receipt.AssertSaysEverywhere(
            "Membership benefits: " + Newsletter,
            "Our good-faith estimate of the fair market value of these benefits is $0.00; " + FullyDeductible,
            "Deductible amount: $5.00");
        receipt.AssertSaysNowhere(NoGoods, QuidProQuo);
    }

    [Fact]
    public async Task The_tier_follows_the_gift_without_the_covered_fee()
    {
        // $14.72 + $0.30 fee = $15.02 charged: the $15 Supporter tier would deduct $2; the gift is Friend's.
        var metadata = new Dictionary<string, string> { ["origin"] = "donate_page", ["frequency"] = "monthly", ["cover_fee"] = "true", ["fee_amount"] = "30" };

        var receipt = await FirstReceiptOfAsync(1502, "fee@example.org", metadata);

        receipt.AssertSaysEverywhere("$15.02 USD", Admission, "This amount includes $0.30 you added to cover payment processing fees.");
        receipt.AssertSaysNowhere(PrintEdition);
    }

    [Fact]
    public async Task A_14_dollar_30_gift_with_its_74_cent_fee_covered_is_judged_by_its_own_tier_not_the_15_dollar_one()
    {
        // $14.30 + $0.74 = $15.04 charged: by the amount charged it would be a $15 Supporter, whose print
        // edition would be deducted; by the gift it is a Friend. Its members' evenings are privileges
        // the IRS lets a charity disregard only up to $75 a year; $14.30 a month is more, so their $3 counts.
        var metadata = new Dictionary<string, string> { ["origin"] = "donate_page", ["frequency"] = "monthly", ["cover_fee"] = "true", ["fee_amount"] = "74" };

        var receipt = await FirstReceiptOfAsync(1504, "fee-issue@example.org", metadata);

        receipt.AssertSaysEverywhere("$15.04 USD", Admission, "This amount includes $0.74 you added to cover payment processing fees.",
            "Our good-faith estimate of the fair market value of these goods or services is $3.00 for each monthly payment.",
            "Deductible amount: $12.04");
        receipt.AssertSaysNowhere(PrintEdition, "$2.00", "$13.04");
    }

    private static void AssertDeductsThePatronGoodsFromTheHundredLeft(ReceiptEmail corrected)
    {
        corrected.AssertSaysEverywhere(
            PrintAndTote,
            "Our good-faith estimate of the fair market value of these goods or services is $5.00 for each monthly payment.",
            QuidProQuo,
            "Deductible amount: $95.00");
        corrected.AssertSaysNowhere("not substantial");
    }
}
