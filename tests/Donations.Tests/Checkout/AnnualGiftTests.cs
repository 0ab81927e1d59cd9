using System.Net;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Receipts;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Checkout;

/// <summary>
/// <c>Donations:Frequencies</c> with <c>annual</c>: the donate page and <c>POST /api/checkout</c> offer
/// a yearly subscription; its payments are annual gifts whose tier follows the monthly equivalent and
/// whose receipts speak of each annual payment.
/// </summary>
public sealed class AnnualGiftTests
{
    private static void OfferAnnual(DonationsAppOptions o)
    {
        o.Settings["Donations:Frequencies:0"] = "one-time";
        o.Settings["Donations:Frequencies:1"] = "monthly";
        o.Settings["Donations:Frequencies:2"] = "annual";
    }

    [Fact]
    public async Task An_annual_gift_at_checkout_is_a_subscription_with_a_yearly_price_when_annual_is_offered()
    {
        await using var app = await CheckoutApp.StartAsync(OfferAnnual);
        var campaign = CheckoutApp.NewCampaign();

        var response = await CheckoutApp.PostJsonAsync(app, new { amount = 24000, currency = "usd", frequency = "annual", campaign });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.Equal("subscription", sent["mode"]);
        Assert.Equal("year", sent["line_items[0][price_data][recurring][interval]"]);
        Assert.Equal("Annual donation to Example Journal", sent["line_items[0][price_data][product_data][name]"]);
        Assert.Equal("annual", sent["subscription_data[metadata][frequency]"]);
        var page = await app.Client.GetStringAsync("/donate");
        Assert.Contains("value=\"annual\"", page);
    }

    [Fact]
    public async Task Annual_is_refused_and_not_shown_unless_configured()
    {
        await using var app = await CheckoutApp.StartAsync();

        var response = await CheckoutApp.PostJsonAsync(app, new { amount = 24000, currency = "usd", frequency = "annual" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Frequency must be \\\"one-time\\\" or \\\"monthly\\\"", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Stripe.RequestsTo("POST", "/v1/checkout/sessions"));
        Assert.DoesNotContain("value=\"annual\"", await app.Client.GetStringAsync("/donate"));
    }

    [Fact]
    public async Task An_annual_payment_takes_the_tier_of_its_monthly_equivalent_and_its_receipt_states_the_benefits_for_each_annual_payment()
    {
        var receipts = new ReceiptsApp { Configure = OfferAnnual };
        await receipts.InitializeAsync();
        try
        {
            var app = receipts.App;
            var gift = new MonthlyGift(Amount: 24000, Email: "yearly@example.org",
                Metadata: new Dictionary<string, string> { ["origin"] = "donate_page", ["frequency"] = "annual" });

            await app.DeliverAsync(gift.CheckoutCompleted(), gift.InvoicePaid(1));
            var receipt = Assert.Single(await receipts.MailToAsync("yearly@example.org"));

            var donation = await app.WithDbAsync(db => db.Donations.AsNoTracking().SingleAsync(d => d.StripeSubscriptionId == gift.SubscriptionId));
            Assert.Equal(DonationFrequency.Annual, donation.Frequency);
            // $240 a year is $20 a month: the Supporter tier, whose $2.00 a month of benefits is $24.00 a year.
            Assert.Equal(("Quarterly print edition", 2400L), (donation.BenefitsDescription, donation.BenefitsValue));
            receipt.AssertSaysEverywhere(
                "Annual gift",
                "Goods or services provided in return for each annual payment: Quarterly print edition",
                "Our good-faith estimate of the fair market value of these goods or services is $24.00 for each annual payment.",
                "Deductible amount: $216.00");
            receipt.AssertSaysNowhere("monthly payment");
            var staff = await Staff.StaffTestSupport.SignedInAsync(app, StaffRoles.Finance);
            Assert.Contains(",usd,annual,succeeded,", await staff.GetStringAsync("/api/finance/donations.csv"));
        }
        finally
        {
            await receipts.DisposeAsync();
        }
    }
}
