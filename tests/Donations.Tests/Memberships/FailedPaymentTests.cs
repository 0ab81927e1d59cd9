using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Donations.Api.Features.DonorPortal;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Donations.Tests.Memberships;

public sealed partial class FailedPaymentTests
{
    private const string BaseUrl = "https://donate.example.org";

    private static Task<DonationsApp> StartAsync(Action<DonationsAppOptions>? more = null) => DonationsApp.StartAsync(o =>
    {
        o.Provider = DatabaseProvider.Postgres;
        o.UseSmtp = true;
        more?.Invoke(o);
    });

    [Fact]
    public async Task Payment_failed_email_says_why_the_bank_declined_when_Stripe_retries_and_links_straight_to_the_card_update()
    {
        await using var app = await StartAsync();
        var gift = new MonthlyGift(Amount: 2000);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
        var nextAttempt = gift.MonthStart(2).AddDays(3);
        StoreFailedInvoice(app, gift, 2, "insufficient_funds", nextAttempt);

        await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(2, attempt: 1));
        var email = await app.Smtp!.WaitForMessageAsync(m => m.Subject?.Contains("did not go through") == true);

        Assert.Contains("your bank said there were not enough funds available", email.TextBody);
        var zone = DonationsApp.OrganizationZone;
        var retryDate = TimeZoneInfo.ConvertTimeFromUtc(nextAttempt.UtcDateTime, zone).ToString("MMMM d, yyyy", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"will try again on {retryDate}", email.TextBody);
        Assert.Contains("works for 3 days", email.TextBody);
        // The invoice's payment was looked up at Stripe, at the pinned version, by the job and not by the webhook request.
        var lookups = app.Stripe.Requests.Where(r => r.Path.StartsWith("/v1/invoices/") || r.Path.StartsWith("/v1/payment_intents/")).ToList();
        Assert.NotEmpty(lookups);
        Assert.All(lookups, r => Assert.Equal("2026-10-28.endive", r.Header("Stripe-Version")));

        var link = CardLinkPath(email);
        Assert.Contains($"href=\"{BaseUrl}{link}\"", email.HtmlBody);
        var opened = await app.CreateClient().GetAsync(link);

        Assert.Equal(HttpStatusCode.SeeOther, opened.StatusCode);
        var session = Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
        Assert.Equal(gift.CustomerId, session["customer"]);
        Assert.Equal("payment_method_update", session["flow_data[type]"]);
        Assert.Equal("hosted_confirmation", session["flow_data[after_completion][type]"]);
        Assert.StartsWith(app.Stripe.BaseUrl + "/portal/", opened.Headers.Location!.ToString());
        Assert.EndsWith("/flow/payment_method_update", opened.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Payment_failed_email_is_not_sent_when_Stripe_says_the_invoice_has_been_paid_since()
    {
        await using var app = await StartAsync();
        var gift = new MonthlyGift(Amount: 2000);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
        StoreFailedInvoice(app, gift, 2, "expired_card", null);
        app.Stripe.Object(gift.Month(2).InvoiceId)["status"] = "paid";

        await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(2, attempt: 1));
        await app.WaitForIdleJobsAsync();

        Assert.DoesNotContain(app.Smtp!.Messages, m => m.Subject?.Contains("did not go through") == true);
        Assert.Single(app.Stripe.RequestsTo("GET", $"/v1/invoices/{gift.Month(2).InvoiceId}"));
        Assert.Empty(await app.WithDbAsync(db => db.DonorSignInTokens.ToListAsync()));
    }

    [Fact]
    public async Task A_card_link_opens_only_its_own_donors_customer_and_neither_kind_of_link_does_the_others_job()
    {
        await using var app = await StartAsync();
        var first = new MonthlyGift(Amount: 2000, Email: "ada@example.org", Name: "Ada Lovelace");
        var second = new MonthlyGift(Amount: 1000, Email: "alan@example.org", Name: "Alan Turing");
        foreach (var gift in new[] { first, second })
        {
            await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
            StoreFailedInvoice(app, gift, 2, "expired_card", gift.MonthStart(2).AddDays(2));
            await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(2));
        }
        var secondEmail = await app.Smtp!.WaitForMessageAsync(m => m.To.Mailboxes.Single().Address == "alan@example.org" && m.Subject!.Contains("did not go through"));
        Assert.Contains("the card on file has expired", secondEmail.TextBody);
        var secondLink = CardLinkPath(secondEmail);

        // Donor B's link opens B's customer, whoever follows it and whatever session cookie they hold.
        var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.SeeOther, (await client.GetAsync(secondLink)).StatusCode);
        Assert.Equal(second.CustomerId, Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"))["customer"]);

        // A card link is no sign-in link, and a sign-in link opens no card update.
        var token = secondLink["/manage/card/".Length..];
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/manage/{token}")).StatusCode);
        var donorA = await app.WithDbAsync(db => db.Donors.SingleAsync(d => d.Email == "ada@example.org"));
        var signIn = await SeedSignInLinkAsync(app, donorA.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/manage/card/{signIn}")).StatusCode);
        // An altered token is no one's link.
        var altered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/manage/card/{altered}")).StatusCode);
        Assert.Single(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
        Assert.DoesNotContain(app.Stripe.Requests, r => r.Path == "/v1/billing_portal/sessions" && r["customer"] == first.CustomerId);
    }

    [Fact]
    public async Task A_card_link_stops_working_after_three_days()
    {
        await using var app = await StartAsync(o => o.UseTestClock());
        var gift = new MonthlyGift(Amount: 2000);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
        StoreFailedInvoice(app, gift, 2, "do_not_honor", null);
        await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(2));
        var email = await app.Smtp!.WaitForMessageAsync(m => m.Subject?.Contains("did not go through") == true);
        Assert.Contains("declined the payment without giving us a reason", email.TextBody);
        Assert.Contains("will not try this payment again", email.TextBody);

        app.Clock().Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        var expired = await app.CreateClient().GetAsync(CardLinkPath(email));

        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("Email me a sign-in link", await expired.Content.ReadAsStringAsync());
        Assert.Empty(app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
    }

    [Fact]
    public async Task Membership_lapses_only_when_Stripe_gives_up_and_the_member_hears_once_that_it_could_not_be_renewed()
    {
        await using var app = await StartAsync();
        var gift = new MonthlyGift(Amount: 2500);
        var t = gift.StartedAt;
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));
        await app.DeliverAndProcessAsync(gift.InvoicePaymentFailed(2, attempt: 1, created: t.AddMinutes(2)),
            gift.InvoicePaymentFailed(2, attempt: 2, created: t.AddMinutes(3)), gift.InvoicePaymentFailed(2, attempt: 3, created: t.AddMinutes(4)));
        Assert.Equal("past_due", await StatusAsync(app, gift));

        var gaveUp = WithCancellationReason(gift.Subscription("customer.subscription.deleted", "canceled", t.AddMinutes(6)), "payment_failed");
        await app.DeliverAndProcessAsync(gaveUp);
        await app.DeliverAsync(gaveUp);
        await app.WaitForIdleJobsAsync();

        Assert.Equal("canceled", await StatusAsync(app, gift));
        var lapsed = Assert.Single(app.Smtp!.Messages, m => m.Subject == "We couldn't renew your monthly gift to Example Journal");
        Assert.DoesNotContain(app.Smtp.Messages, m => m.Subject?.Contains("has ended") == true);
        var wayBack = $"{BaseUrl}/donate?amount=25&currency=usd&frequency=monthly";
        Assert.Contains(wayBack, lapsed.TextBody);
        // The way back opens the donate form on the same gift.
        var form = await app.Client.GetStringAsync(wayBack[BaseUrl.Length..]);
        Assert.Matches("value=\"monthly\"[^>]*checked", form);
        // $25 is one of the presets here, so it is the chosen one.
        Assert.Matches("name=\"amount\" value=\"25\" checked", form);
    }

    [Fact]
    public async Task A_donor_who_cancels_hears_that_the_gift_has_ended_not_that_it_could_not_be_renewed()
    {
        await using var app = await StartAsync();
        var gift = new MonthlyGift(Amount: 2500);
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted(), gift.SubscriptionCreated(), gift.InvoicePaid(1));

        await app.DeliverAndProcessAsync(WithCancellationReason(
            gift.Subscription("customer.subscription.deleted", "canceled", gift.StartedAt.AddMinutes(6)), "cancellation_requested"));
        await app.WaitForIdleJobsAsync();

        Assert.Single(app.Smtp!.Messages, m => m.Subject?.Contains("has ended") == true);
        Assert.DoesNotContain(app.Smtp.Messages, m => m.Subject?.Contains("couldn't renew") == true);
    }

    /// <summary>
    /// What Stripe holds for month <paramref name="month"/>'s failed invoice: the open invoice with
    /// its next attempt, its invoice payment, and the PaymentIntent whose last error carries the decline code.
    /// </summary>
    internal static void StoreFailedInvoice(DonationsApp app, MonthlyGift gift, int month, string declineCode, DateTimeOffset? nextAttempt)
    {
        var (invoiceId, intentId, _) = gift.Month(month);
        app.Stripe.Put(StripeEventFactory.Invoice(invoiceId, gift.SubscriptionId, gift.CustomerId, gift.Email, gift.Name, gift.Amount, gift.Currency,
            "subscription_cycle", "open", gift.MonthStart(month), null, attemptCount: 1, nextPaymentAttempt: nextAttempt));
        var payment = StripeEventFactory.InvoicePayment(invoiceId, intentId, gift.Amount, gift.Currency, gift.MonthStart(month));
        payment["status"] = "open";
        payment["amount_paid"] = null;
        app.Stripe.Store(payment);
        app.Stripe.Put(new JsonObject
        {
            ["id"] = intentId, ["object"] = "payment_intent", ["amount"] = gift.Amount, ["amount_received"] = 0L, ["currency"] = gift.Currency,
            ["created"] = gift.MonthStart(month).ToUnixTimeSeconds(), ["customer"] = gift.CustomerId, ["livemode"] = false,
            ["metadata"] = new JsonObject(), ["status"] = "requires_payment_method",
            ["last_payment_error"] = new JsonObject
            {
                ["type"] = "card_error", ["code"] = declineCode == "expired_card" ? "expired_card" : "card_declined",
                ["decline_code"] = declineCode, ["message"] = "Your card was declined.",
            },
        });
    }

    internal static string WithCancellationReason(string subscriptionEvent, string reason)
    {
        var e = JsonNode.Parse(subscriptionEvent)!.AsObject();
        e["data"]!["object"]!["cancellation_details"] = new JsonObject { ["comment"] = null, ["feedback"] = null, ["reason"] = reason };
        return e.ToJsonString();
    }

    internal static string CardLinkPath(MimeMessage email)
    {
        var match = CardLink().Match(email.TextBody ?? "");
        Assert.True(match.Success, "no card-update link in the email");
        return match.Groups[1].Value;
    }

    private static Task<string> StatusAsync(DonationsApp app, MonthlyGift gift) =>
        app.WithDbAsync(db => db.Memberships.Where(m => m.StripeSubscriptionId == gift.SubscriptionId).Select(m => m.Status).SingleAsync());

    private static async Task<string> SeedSignInLinkAsync(DonationsApp app, long donorId)
    {
        var token = SignInTokens.NewToken();
        await app.WithDbAsync(async db =>
        {
            db.DonorSignInTokens.Add(new DonorSignInToken
            {
                DonorId = donorId, TokenHash = SignInTokens.Hash(token), CreatedAt = DateTime.UtcNow, ExpiresAt = DateTime.UtcNow.AddMinutes(30),
            });
            await db.SaveChangesAsync();
        });
        return token;
    }

    [GeneratedRegex(@"https://donate\.example\.org(/manage/card/[A-Za-z0-9_-]{43})\b")]
    private static partial Regex CardLink();
}
