using System.Net;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.DonorPortal;

/// <summary>
/// Addresses are typed at Checkout, unverified: a second payer under an address never becomes the
/// customer whose billing portal that address's donor opens.
/// </summary>
public sealed class DonorIdentityTests
{
    private const string Address = "shared@example.org";

    [Fact]
    public async Task Another_payers_customer_under_the_same_address_is_not_linked_to_the_donor_nor_opened_from_the_portal()
    {
        await using var app = await DonationsApp.StartAsync();
        await app.DeliverAndProcessAsync(new OneTimeGift(Email: Address).CheckoutCompleted());
        await app.DeliverAndProcessAsync(new OneTimeGift(Amount: 1000, Email: Address) { CustomerId = "cus_stranger" }.CheckoutCompleted());

        var donor = await app.WithDbAsync(db => db.Donors.AsNoTracking().Include(d => d.Donations).SingleAsync(d => d.Email == Address));
        await Portal.SignInAsync(app, app.Client, donor.Id);
        var response = await Portal.PostFormAsync(app.Client, "/manage/billing-portal", await Portal.FormTokenAsync(app.Client, "/manage/account"));

        Assert.Equal(2, donor.Donations.Count);
        Assert.Null(donor.StripeCustomerId);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
    }

    [Fact]
    public async Task The_customer_whose_payment_founded_the_record_stays_its_customer()
    {
        await using var app = await DonationsApp.StartAsync();
        await app.DeliverAndProcessAsync(new OneTimeGift(Email: Address) { CustomerId = "cus_first" }.CheckoutCompleted());
        await app.DeliverAndProcessAsync(new OneTimeGift(Email: Address) { CustomerId = "cus_second" }.CheckoutCompleted());

        var donor = await app.WithDbAsync(db => db.Donors.AsNoTracking().SingleAsync(d => d.Email == Address));
        await Portal.SignInAsync(app, app.Client, donor.Id);
        var response = await Portal.PostFormAsync(app.Client, "/manage/billing-portal", await Portal.FormTokenAsync(app.Client, "/manage/account"));

        Assert.Equal("cus_first", donor.StripeCustomerId);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("cus_first", Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"))["customer"]);
    }

    [Fact]
    public async Task Monthly_gifts_paid_by_two_customers_under_one_address_open_neither_silently()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var donor = await Portal.SeedDonorAsync(app, Address, customer: "cus_one");
        await app.WithDbAsync(async db =>
        {
            foreach (var (subscription, customer) in new[] { ("sub_one", "cus_one"), ("sub_two", "cus_two") })
                db.Memberships.Add(new Membership
                {
                    DonorId = donor.Id, StripeSubscriptionId = subscription, StripeCustomerId = customer, Status = "active",
                    MonthlyAmount = 1500, Currency = "usd", StartedAt = DateTime.UtcNow,
                });
            await db.SaveChangesAsync();
        });
        await Portal.SignInAsync(app, app.Client, donor.Id);

        var response = await Portal.PostFormAsync(app.Client, "/manage/billing-portal", await Portal.FormTokenAsync(app.Client, "/manage/account"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("more than one set of payment details", await response.Content.ReadAsStringAsync());
        Assert.Empty(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
    }
}
