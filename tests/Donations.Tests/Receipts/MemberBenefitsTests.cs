using Donations.Tests.Infrastructure;
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
    public async Task A_payment_made_now_is_judged_by_2026s_token_item_minimum_of_69_dollars_50()
    {
        // $2 of goods: within 2026's $13.90 low-cost article limit, but too much for the 2% test on
        // $69.50; under 2025's $68 minimum both payments would have been token-item payments.
        var below = await FirstReceiptOfAsync(6900, "token-below@example.org");
        var at = await FirstReceiptOfAsync(6950, "token-at@example.org");

        below.AssertSaysEverywhere(
            "$69.00 USD",
            "Our good-faith estimate of the fair market value of these goods or services is $2.00 for each monthly payment.",
            "Deductible amount: $67.00");
        below.AssertSaysNowhere("not substantial");
        at.AssertSaysEverywhere(
            "$69.50 USD",
            "Under Internal Revenue Service guidelines, the estimated value of the benefits received is not substantial; " + FullyDeductible,
            "Deductible amount: $69.50");
        at.AssertSaysNowhere(QuidProQuo);
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
}
