using System.Net;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.DonorPortal;

/// <summary>
/// The member changes their own gift in the portal: each change is one subscription update at
/// Stripe (the stand-in refuses what endive would), confirmed by email, and the membership
/// follows only when Stripe's webhook arrives.
/// </summary>
public sealed class ManageGiftTests
{
    [Fact]
    public async Task Lowering_the_amount_shows_the_new_tier_first_then_reprices_the_item_and_the_webhook_makes_it_visible()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.Provider = DatabaseProvider.Postgres; o.UseSmtp = true; });
        var member = await Member.StartAsync(app);
        Assert.Contains("Supporter", await member.AccountPageAsync());

        var preview = await member.PostAsync("amount", ("amount", "10"));

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var review = await preview.Content.ReadAsStringAsync();
        Assert.Contains("Tier: <strong>Reader</strong>", review);
        Assert.Contains("$10.00", review);
        Assert.Empty(app.Stripe.RequestsTo("POST", member.SubscriptionPath));

        var done = await member.PostAsync("amount", ("amount", "10"), ("cover_fee", "off"), ("confirm", "yes"));

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var update = member.SingleUpdate();
        var item = (string)member.Subscription["items"]!["data"]![0]!["id"]!;
        Assert.Equal(item, update["items[0][id]"]);
        Assert.Equal("1000", update["items[0][price_data][unit_amount]"]);
        Assert.Equal("usd", update["items[0][price_data][currency]"]);
        Assert.Equal("month", update["items[0][price_data][recurring][interval]"]);
        Assert.StartsWith("prod_", update["items[0][price_data][product]"]);
        Assert.Equal("none", update["proration_behavior"]);
        Assert.Equal("1000", update["metadata[gift_amount]"]);
        Assert.Equal("false", update["metadata[cover_fee]"]);
        // The books wait for Stripe's word.
        Assert.Equal(2000, (await member.MembershipAsync()).MonthlyAmount);

        await member.WebhookArrivesAsync();

        var membership = await member.MembershipAsync();
        Assert.Equal(1000, membership.MonthlyAmount);
        Assert.Equal("Reader", membership.Tier);
        Assert.Contains("$10.00", await member.AccountPageAsync());
        var confirmation = await app.Smtp!.WaitForMessageAsync(m => m.Subject?.Contains("change received") == true);
        Assert.Equal("grace.hopper@example.org", confirmation.To.Mailboxes.Single().Address);
        Assert.Contains("Your monthly gift will be $10.00 from your next payment on, in the Reader tier.", confirmation.TextBody);
    }

    [Fact]
    public async Task Covering_the_fee_on_a_new_amount_adds_it_to_the_price_and_records_it_for_renewals()
    {
        await using var app = await DonationsApp.StartAsync();
        var member = await Member.StartAsync(app);

        await member.PostAsync("amount", ("amount", "50"), ("cover_fee", "on"), ("confirm", "yes"));

        var update = member.SingleUpdate();
        // 50.00 at 2.9% + 0.30, grossed up so the organisation nets the gift: 51.81.
        Assert.Equal("5181", update["items[0][price_data][unit_amount]"]);
        Assert.Equal("5000", update["metadata[gift_amount]"]);
        Assert.Equal("181", update["metadata[fee_amount]"]);
        Assert.Equal("true", update["metadata[cover_fee]"]);
        await member.WebhookArrivesAsync();
        var membership = await member.MembershipAsync();
        Assert.Equal((5181, 181, "Patron"), (membership.MonthlyAmount, membership.FeeAmount, membership.Tier));
    }

    [Fact]
    public async Task Pausing_two_months_voids_collection_until_then_and_resuming_early_unsets_the_pause()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var member = await Member.StartAsync(app);
        // The start of the organisation's day two months on: its calendar, not UTC's (late in a
        // New York evening the UTC date is already tomorrow's, and at a month's end the two dates
        // two months on can be days apart, as Nov 30 -> Jan 30 and Dec 1 -> Feb 1 are).
        var zone = app.Services.GetRequiredService<IOptions<OrganizationOptions>>().Value.GetTimeZone();
        DateTimeOffset StartOfTheDayTwoMonthsOn() => new(TimeZoneInfo.ConvertTimeToUtc(
            TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, zone).Date.AddMonths(2), zone), TimeSpan.Zero);
        var before = StartOfTheDayTwoMonthsOn();

        var paused = await member.PostAsync("pause", ("months", "2"));
        var after = StartOfTheDayTwoMonthsOn();

        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        var pause = member.SingleUpdate();
        Assert.Equal("void", pause["pause_collection[behavior]"]);
        var resumesAt = DateTimeOffset.FromUnixTimeSeconds(Member.Unix(pause["pause_collection[resumes_at]"]));
        Assert.Contains(resumesAt, new[] { before, after });
        Assert.False((await member.MembershipAsync()).Paused);

        await member.WebhookArrivesAsync();

        var membership = await member.MembershipAsync();
        Assert.True(membership.Paused);
        Assert.Equal(resumesAt.UtcDateTime, membership.PausedUntil);
        var page = await member.AccountPageAsync();
        Assert.Contains("<td>Paused</td>", page);
        Assert.Contains("""action="/manage/gift/resume" """.Trim(), page);

        var resumed = await member.PostAsync("resume");

        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var resume = app.Stripe.RequestsTo("POST", member.SubscriptionPath).Last();
        Assert.Equal([new KeyValuePair<string, string>("pause_collection", "")], resume.Form);
        await member.WebhookArrivesAsync();
        Assert.False((await member.MembershipAsync()).Paused);
        await app.WaitForIdleJobsAsync();
        Assert.Equal(2, app.Smtp!.Messages.Count(m => m.Subject?.Contains("change received") == true));
    }

    [Fact]
    public async Task Skipping_the_next_payment_voids_collection_until_the_day_after_it_is_due()
    {
        await using var app = await DonationsApp.StartAsync();
        var member = await Member.StartAsync(app);

        await member.PostAsync("skip");

        var skip = member.SingleUpdate();
        Assert.Equal("void", skip["pause_collection[behavior]"]);
        Assert.Equal(member.Gift.MonthStart(2).AddDays(1).ToUnixTimeSeconds(), Member.Unix(skip["pause_collection[resumes_at]"]));
        await member.WebhookArrivesAsync();
        Assert.True((await member.MembershipAsync()).Paused);
    }

    [Fact]
    public async Task Moving_the_payment_day_ends_a_trial_on_that_day_on_or_after_the_current_due_date()
    {
        await using var app = await DonationsApp.StartAsync();
        var member = await Member.StartAsync(app);
        var zone = DonationsApp.OrganizationZone;
        var due = TimeZoneInfo.ConvertTime(member.Gift.MonthStart(2), zone);
        var day = due.Day >= Api.Features.DonorPortal.MovePaymentDay.LastDay ? 1 : due.Day + 1;

        await member.PostAsync("payment-day", ("day", day.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var move = member.SingleUpdate();
        Assert.Equal("none", move["proration_behavior"]);
        var next = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeSeconds(Member.Unix(move["trial_end"])), zone);
        Assert.Equal(day, next.Day);
        Assert.InRange(next, due, due.AddMonths(1));
        Assert.Equal((due.Hour, due.Minute), (next.Hour, next.Minute));
        await member.WebhookArrivesAsync();
        Assert.Equal(next.UtcDateTime, (await member.MembershipAsync()).CurrentPeriodEnd);
    }

    [Fact]
    public async Task Switching_to_annual_charges_twelve_gifts_once_the_paid_month_ends_and_keeps_the_monthly_tier()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Settings["Donations:Frequencies:0"] = "one-time";
            o.Settings["Donations:Frequencies:1"] = "monthly";
            o.Settings["Donations:Frequencies:2"] = "annual";
        });
        var member = await Member.StartAsync(app);

        await member.PostAsync("interval", ("interval", "year"));

        var update = member.SingleUpdate();
        Assert.Equal("year", update["items[0][price_data][recurring][interval]"]);
        Assert.Equal("24000", update["items[0][price_data][unit_amount]"]);
        Assert.Equal(member.Gift.MonthStart(2).ToUnixTimeSeconds(), Member.Unix(update["trial_end"]));
        Assert.Equal("none", update["proration_behavior"]);
        Assert.Equal("annual", update["metadata[frequency]"]);
        await member.WebhookArrivesAsync();
        var membership = await member.MembershipAsync();
        Assert.Equal(("year", 24000L, "Supporter"), (membership.Interval, membership.MonthlyAmount, membership.Tier));
        Assert.Contains("$240.00 a year", await member.AccountPageAsync());
    }

    [Fact]
    public async Task Switching_to_annual_is_refused_when_annual_gifts_are_not_offered()
    {
        await using var app = await DonationsApp.StartAsync();
        var member = await Member.StartAsync(app);
        Assert.DoesNotContain("/manage/gift/interval", await member.AccountPageAsync());

        var refused = await member.PostAsync("interval", ("interval", "year"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(app.Stripe.RequestsTo("POST", member.SubscriptionPath));
    }

    [Fact]
    public async Task Cancelling_with_a_reason_ends_the_gift_with_its_period_and_staff_see_the_reason_in_the_members_export()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var member = await Member.StartAsync(app);

        await member.PostAsync("cancel", ("reason", "Moving abroad, will give again"));

        var cancel = member.SingleUpdate();
        Assert.Equal("true", cancel["cancel_at_period_end"]);
        Assert.Equal("Moving abroad, will give again", cancel["cancellation_details[comment]"]);
        await member.WebhookArrivesAsync();
        var membership = await member.MembershipAsync();
        Assert.True(membership.CancelAtPeriodEnd);
        Assert.Equal("Moving abroad, will give again", membership.CancellationReason);
        Assert.Contains("Active, ends at the end of the period", await member.AccountPageAsync());
        var staff = await Staff.StaffTestSupport.SignedInAsync(app, StaffRoles.Finance);
        var csv = (await staff.GetStringAsync("/api/finance/members.csv")).Split("\r\n");
        Assert.EndsWith(",benefits_declined,cancel_reason", csv[0]);
        Assert.EndsWith(",month,,false,\"Moving abroad, will give again\"", csv[1]);
        var confirmation = await app.Smtp!.WaitForMessageAsync(m => m.Subject?.Contains("change received") == true);
        Assert.Contains("The reason you gave: Moving abroad, will give again", confirmation.TextBody);
    }

    [Fact]
    public async Task A_second_donor_who_puts_the_first_donors_gift_in_the_forms_is_refused_and_Stripe_is_never_called()
    {
        await using var app = await DonationsApp.StartAsync();
        var victim = await Member.StartAsync(app);
        var intruder = await Member.StartAsync(app, "mallory@example.org");
        var before = app.Stripe.Requests.Count;

        foreach (var (action, fields) in new (string, (string, string)[])[]
                 {
                     ("amount", [("amount", "5"), ("confirm", "yes")]), ("pause", [("months", "3")]), ("resume", []), ("skip", []),
                     ("payment-day", [("day", "3")]), ("interval", [("interval", "year")]), ("benefits", [("benefits", "declined")]),
                     ("cancel", [("reason", "not mine")]),
                 })
        {
            var answer = await intruder.PostAsync(action, victim.MembershipId, "intruder", fields);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        }

        Assert.Equal(before, app.Stripe.Requests.Count);
        Assert.False(await app.WithDbAsync(db => db.GiftChanges.AnyAsync()));
        Assert.Equal(2000, (await victim.MembershipAsync()).MonthlyAmount);
    }

    [Fact]
    public async Task A_gift_form_without_its_antiforgery_token_never_reaches_Stripe()
    {
        await using var app = await DonationsApp.StartAsync();
        var member = await Member.StartAsync(app);

        var answer = await member.Browser.PostAsync("/manage/gift/cancel", new FormUrlEncodedContent(
            [new("gift", member.MembershipId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("reason", "csrf")]));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Empty(app.Stripe.RequestsTo("POST", member.SubscriptionPath));
    }

    [Fact]
    public async Task The_same_form_sent_twice_changes_the_gift_once_and_confirms_it_once()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var member = await Member.StartAsync(app);

        var first = await member.PostAsync("pause", ("months", "1"));
        // A second click a moment later: nothing in the request may depend on the clock's seconds.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var second = await member.PostAsync("pause", ("months", "1"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        var updates = app.Stripe.RequestsTo("POST", member.SubscriptionPath).ToList();
        Assert.Equal(2, updates.Count);
        Assert.Equal(updates[0].IdempotencyKey, updates[1].IdempotencyKey);
        Assert.Equal(1, await app.WithDbAsync(db => db.GiftChanges.CountAsync()));
        await app.WaitForIdleJobsAsync();
        Assert.Single(app.Smtp!.Messages, m => m.Subject?.Contains("change received") == true);
    }

    [Fact]
    public async Task Stripe_refusing_the_update_shows_a_page_saying_nothing_changed_and_records_nothing()
    {
        await using var app = await DonationsApp.StartAsync();
        var member = await Member.StartAsync(app);
        app.Stripe.On("POST", member.SubscriptionPath, _ => StripeReply.Error(400, "invalid_request_error", "This subscription cannot be paused."));

        var answer = await member.PostAsync("pause", ("months", "1"));

        Assert.Equal(HttpStatusCode.BadGateway, answer.StatusCode);
        Assert.Contains("Nothing has changed", await answer.Content.ReadAsStringAsync());
        Assert.False(await app.WithDbAsync(db => db.GiftChanges.AnyAsync()));
    }

    [Fact]
    public async Task Declining_the_benefits_makes_the_next_payment_wholly_deductible_and_its_receipt_says_so()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var member = await Member.StartAsync(app);

        await member.PostAsync("benefits", ("benefits", "declined"));

        Assert.Equal("declined", member.SingleUpdate()["metadata[benefits]"]);
        await member.WebhookArrivesAsync();
        Assert.True((await member.MembershipAsync()).BenefitsDeclined);
        // The renewal invoice carries the subscription's metadata as it now stands.
        var metadata = member.Subscription["metadata"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);
        var renewal = StripeEventFactory.Event("invoice.paid", StripeEventFactory.Invoice(member.Gift.Month(2).InvoiceId, member.Gift.SubscriptionId,
            member.Gift.CustomerId, member.Gift.Email, member.Gift.Name, 2000, "usd", "subscription_cycle", "paid", DateTimeOffset.UtcNow.AddMinutes(-1),
            metadata, member.Gift.Month(2).PaymentIntentId));
        await app.DeliverAndProcessAsync(renewal);

        var gifts = await app.WithDbAsync(db => db.Donations.OrderBy(d => d.ReceivedAt).Select(d => d.BenefitsTreatment).ToListAsync());
        Assert.Equal([BenefitsTreatment.Deducted, BenefitsTreatment.Declined], gifts);
        var receipt = await app.Smtp!.WaitForMessageAsync(m => m.TextBody?.Contains("You declined the membership benefits") == true);
        Assert.Contains("You declined the membership benefits (Quarterly print edition). No goods or services were provided", receipt.TextBody);
        Assert.DoesNotContain("$18.00", receipt.TextBody);
        // The deductible amount is stated as on every other receipt: in the text, the HTML and the PDF.
        Assert.Contains("Deductible amount: $20.00", receipt.TextBody);
        Assert.Matches("Deductible amount:</td><td><strong>\\$20.00</strong>", receipt.HtmlBody);
        Assert.Contains("Deductible amount: $20.00", PdfText.Words(receipt.Attachments.OfType<MimeKit.MimePart>().Single(a => a.ContentType.MimeType == "application/pdf")));
    }

    [Fact]
    public async Task A_corrected_name_is_on_later_receipts_even_when_the_card_says_otherwise()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseSmtp = true);
        var member = await Member.StartAsync(app);
        var token = await Portal.FormTokenAsync(member.Browser, "/manage/account");

        var answer = await Portal.PostFormAsync(member.Browser, "/manage/name", token, ("name", "  Rear Admiral   Grace Hopper "));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Rear Admiral Grace Hopper", await app.WithDbAsync(db => db.Donors.Where(d => d.Id == member.DonorId).Select(d => d.Name).SingleAsync()));
        // The renewal's invoice still carries the cardholder's name.
        await app.DeliverAndProcessAsync(member.Gift.InvoicePaid(2));
        var number = await app.WithDbAsync(db => db.Receipts.Where(r => r.Donation!.StripeInvoiceId == member.Gift.Month(2).InvoiceId)
            .Select(r => r.Number).SingleOrDefaultAsync());
        await Wait.UntilAsync(async () => (number ??= await app.WithDbAsync(db => db.Receipts
            .Where(r => r.Donation!.StripeInvoiceId == member.Gift.Month(2).InvoiceId).Select(r => r.Number).SingleOrDefaultAsync())) is not null);
        var receipt = await app.Smtp!.WaitForMessageAsync(m => m.Subject?.Contains($"receipt {number} ") == true);
        Assert.Contains("Rear Admiral Grace Hopper", receipt.TextBody);
        Assert.DoesNotContain("Donor: Grace Hopper", receipt.TextBody);
    }
}
