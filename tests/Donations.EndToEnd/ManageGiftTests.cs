using Donations.Api.Features.DonorPortal;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Donations.EndToEnd;

/// <summary>
/// A member, in a real browser, lowers their monthly gift (seeing the tier it gives first), pauses
/// it for two months and cancels it with a reason, or switches it to annual; each time the account
/// page shows the change once Stripe's webhook has arrived. A second donor who rewrites her own
/// form to name the first donor's gift reaches nothing.
/// </summary>
public sealed class ManageGiftTests(Browser browser) : IClassFixture<Browser>, IAsyncLifetime
{
    private static readonly Dictionary<string, string> Metadata = new() { ["origin"] = "donate_page", ["frequency"] = "monthly" };
    private readonly MonthlyGift _gift = new(Amount: 2000, Metadata: Metadata);
    private DonationsApp _app = null!;
    private DateTimeOffset _lastEvent;

    public async Task InitializeAsync() => _app = await DonationsApp.StartAsync(o =>
    {
        o.UseKestrel = true;
        o.Settings["Donations:Frequencies:0"] = "one-time";
        o.Settings["Donations:Frequencies:1"] = "monthly";
        o.Settings["Donations:Frequencies:2"] = "annual";
    });

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Member_lowers_the_amount_pauses_two_months_and_cancels_with_a_reason()
    {
        var link = await MemberWithLinkAsync(_gift);
        await using var context = await browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1024, Height = 1400 } });
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await context.NewPageAsync();
        var refused = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") refused.Add(message.Text); };
        await page.GotoAsync(Url(link));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(Url("/manage/account"));
        var monthly = page.GetByRole(AriaRole.Table, new() { Name = "Your monthly gifts" });
        await Assertions.Expect(monthly).ToContainTextAsync("Supporter");

        // Lower the amount: the tier it gives is shown before anything reaches Stripe.
        await page.GetByLabel("New amount each month").FillAsync("10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Review the new amount" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Tier: Reader");
        Assert.Empty(_app.Stripe.RequestsTo("POST", SubscriptionPath));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm the new amount" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Your monthly gift will be $10.00");
        Assert.Equal("1000", LastUpdate()["items[0][price_data][unit_amount]"]);
        await WebhookArrivesAsync();
        await page.GotoAsync(Url("/manage/account"));
        await Assertions.Expect(monthly).ToContainTextAsync("Reader");
        await Assertions.Expect(monthly).ToContainTextAsync("$10.00");
        // The next payment is charged at the new amount: its receipt deducts the new tier's benefits (none).
        await _app.DeliverAndProcessAsync((_gift with { Amount = 1000 }).InvoicePaid(2));
        await _app.WaitForIdleJobsAsync();
        var receipts = await _app.WithDbAsync(db => db.Receipts.Where(r => r.Donation!.StripeSubscriptionId == _gift.SubscriptionId)
            .OrderBy(r => r.Id).Select(r => new { r.Amount, r.DeductibleAmount, r.Donation!.BenefitsValue }).ToListAsync());
        Assert.Equal([(2000L, 200L), (1000L, 0L)], receipts.Select(r => (r.Amount, r.BenefitsValue)));
        Assert.Equal(1000, receipts[1].DeductibleAmount);

        // Pause two months.
        await page.GetByLabel("Pause for").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("is paused: no payment will be taken until");
        Assert.Equal("void", LastUpdate()["pause_collection[behavior]"]);
        await WebhookArrivesAsync();
        await page.GotoAsync(Url("/manage/account"));
        await Assertions.Expect(monthly).ToContainTextAsync("Paused");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resume now" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("portal-manage-gift.png"), FullPage = true });

        // Cancel with a reason.
        await page.GetByLabel("Why are you cancelling?").FillAsync("Giving to a local paper this year");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel my monthly gift" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("is canceled");
        var cancel = LastUpdate();
        Assert.Equal("true", cancel["cancel_at_period_end"]);
        Assert.Equal("Giving to a local paper this year", cancel["cancellation_details[comment]"]);
        await WebhookArrivesAsync();
        await page.GotoAsync(Url("/manage/account"));
        await Assertions.Expect(monthly).ToContainTextAsync("Active, ends at the end of the period");
        Assert.Equal("Giving to a local paper this year", await _app.WithDbAsync(db =>
            db.Memberships.Where(m => m.StripeSubscriptionId == _gift.SubscriptionId).Select(m => m.CancellationReason).SingleAsync()));
        Assert.Empty(refused);
    }

    [Fact]
    public async Task Member_switches_to_annual_and_a_second_donor_who_rewrites_her_form_to_name_that_gift_reaches_nothing()
    {
        var link = await MemberWithLinkAsync(_gift);
        var mallory = new MonthlyGift(Amount: 2000, Email: "mallory@example.org", Name: "Mallory", Metadata: Metadata);
        var malloryLink = await MemberWithLinkAsync(mallory);
        await using var context = await browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1024, Height = 1400 } });
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url(link));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(Url("/manage/account"));
        var monthly = page.GetByRole(AriaRole.Table, new() { Name = "Your monthly gifts" });

        await page.GetByRole(AriaRole.Button, new() { Name = "Switch to one payment a year" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Your gift becomes annual: $240.00 each year");
        Assert.Equal("year", LastUpdate()["items[0][price_data][recurring][interval]"]);
        await WebhookArrivesAsync();
        await page.GotoAsync(Url("/manage/account"));
        await Assertions.Expect(monthly).ToContainTextAsync("$240.00 a year");

        // The second donor, in her own browser, points her own cancel form at the first donor's gift.
        var victim = await _app.WithDbAsync(db => db.Memberships.Where(m => m.StripeSubscriptionId == _gift.SubscriptionId).Select(m => m.Id).SingleAsync());
        await using var other = await browser.Chromium.NewContextAsync();
        other.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var intruder = await other.NewPageAsync();
        await intruder.GotoAsync(Url(malloryLink));
        await intruder.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await intruder.WaitForURLAsync(Url("/manage/account"));
        var stripeCalls = _app.Stripe.Requests.Count;
        await intruder.Locator($"form.gift-cancel input[name='{GiftChanges.GiftField}']")
            .EvaluateAsync("(input, id) => input.value = id", victim.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await intruder.GetByLabel("Why are you cancelling?").FillAsync("not mine");
        var answer = await intruder.RunAndWaitForResponseAsync(
            () => intruder.GetByRole(AriaRole.Button, new() { Name = "Cancel my monthly gift" }).ClickAsync(),
            r => r.Url.EndsWith("/manage/gift/cancel", StringComparison.Ordinal));

        Assert.Equal(404, answer.Status);
        Assert.Equal(stripeCalls, _app.Stripe.Requests.Count);
        Assert.False(await _app.WithDbAsync(db => db.Memberships.Where(m => m.Id == victim).Select(m => m.CancelAtPeriodEnd).SingleAsync()));
    }

    private string SubscriptionPath => $"/v1/subscriptions/{_gift.SubscriptionId}";

    private StripeRequest LastUpdate() => _app.Stripe.RequestsTo("POST", SubscriptionPath).Last();

    private string Url(string path) => new Uri(_app.BaseAddress, path).ToString();

    private async Task WebhookArrivesAsync()
    {
        _lastEvent = _lastEvent.AddMinutes(1);
        await _app.DeliverAndProcessAsync(_app.Stripe.SubscriptionUpdatedEvent(_gift.SubscriptionId, _lastEvent));
    }

    /// <summary>The monthly gift through Stripe's events, its subscription kept by the stand-in, and a sign-in link for its donor.</summary>
    private async Task<string> MemberWithLinkAsync(MonthlyGift gift)
    {
        var subscription = StripeEventFactory.Subscription(gift.SubscriptionId, gift.CustomerId, gift.Amount, "usd", "active",
            gift.StartedAt, gift.MonthStart(2), latestInvoice: gift.Month(1).InvoiceId, metadata: Metadata);
        _app.Stripe.Store(subscription);
        _lastEvent = gift.StartedAt.AddMinutes(1);
        await _app.DeliverAndProcessAsync(gift.CheckoutCompleted(),
            StripeEventFactory.Event("customer.subscription.created", subscription, gift.StartedAt), gift.InvoicePaid(1));
        var token = SignInTokens.NewToken();
        await _app.WithDbAsync(async db =>
        {
            var donorId = await db.Memberships.Where(m => m.StripeSubscriptionId == gift.SubscriptionId).Select(m => m.DonorId).SingleAsync();
            db.DonorSignInTokens.Add(new DonorSignInToken
            {
                DonorId = donorId, TokenHash = SignInTokens.Hash(token), CreatedAt = DateTime.UtcNow,
                ExpiresAt = DateTime.UtcNow + SignInTokens.Lifetime,
            });
            await db.SaveChangesAsync();
        });
        return $"/manage/{token}";
    }
}
