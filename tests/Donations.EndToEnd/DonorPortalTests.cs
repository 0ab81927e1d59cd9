using System.Text.RegularExpressions;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Donations.EndToEnd;

/// <summary>A donor asks for a sign-in link, follows it from the email, sees their giving and goes on to Stripe.</summary>
public sealed class DonorPortalTests(Browser browser) : IClassFixture<Browser>, IAsyncLifetime
{
    private const string Email = "grace@example.com";
    private DonationsApp _app = null!;

    // The Hangfire server sends the sign-in email, as in production.
    public async Task InitializeAsync() => _app = await DonationsApp.StartAsync(o => o.UseKestrel = true);

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task Donor_signs_in_by_email_link_sees_gifts_and_monthly_gift_and_opens_Stripes_billing_portal()
    {
        await SeedDonorAsync();
        await using var context = await browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1024, Height = 900 } });
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await context.NewPageAsync();
        // The Content-Security-Policy must let the page's own style through, and nothing else is loaded.
        var refused = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") refused.Add(message.Text); };

        await page.GotoAsync(Url("/manage"));
        await page.GetByLabel("Email address").FillAsync(Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Email me a sign-in link" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("a sign-in link is on its way");

        // The link's page spends nothing (mail scanners open links too); its button signs in.
        await page.GotoAsync(Url(await SignInPathFromEmailAsync()));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.WaitForURLAsync(Url("/manage/account"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your giving");
        var monthly = page.GetByRole(AriaRole.Table, new() { Name = "Your monthly gifts" });
        await Assertions.Expect(monthly).ToContainTextAsync("Supporter");
        await Assertions.Expect(monthly).ToContainTextAsync("$25.00");
        await Assertions.Expect(monthly).ToContainTextAsync("Active");
        var gifts = page.GetByRole(AriaRole.Table, new() { Name = "Your gifts and their tax receipts" });
        await Assertions.Expect(gifts).ToContainTextAsync("$50.00");
        await Assertions.Expect(gifts.GetByRole(AriaRole.Link, new() { Name = "2026-000042 (PDF)" }))
            .ToHaveAttributeAsync("href", "/manage/receipts/2026-000042.pdf");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("portal-account.png"), FullPage = true });
        Assert.Empty(refused);
        Assert.Equal("right", await gifts.Locator("td.amount").EvaluateAsync<string>("e => getComputedStyle(e).textAlign"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Manage monthly gift and payment details" }).ClickAsync();

        await page.WaitForURLAsync(new Regex($"^{Regex.Escape(_app.Stripe.BaseUrl)}/portal/bps_"));
        var sent = Assert.Single(_app.Stripe.RequestsTo("POST", "/v1/billing_portal/sessions"));
        Assert.Equal("cus_grace", sent["customer"]);
        Assert.Equal("https://donate.example.org/manage/account", sent["return_url"]);
    }

    private string Url(string path) => new Uri(_app.BaseAddress, path).ToString();

    /// <summary>The path of the link in the sign-in email, which a Hangfire job sends shortly after the form is posted.</summary>
    private async Task<string> SignInPathFromEmailAsync()
    {
        string? path = null;
        await Wait.UntilAsync(() =>
        {
            var message = _app.OutboxMessages().FirstOrDefault(m => m.To.Mailboxes.Any(a => a.Address == Email));
            var match = Regex.Match(message?.TextBody ?? "", @"https://donate\.example\.org(/manage/[A-Za-z0-9_-]{43})\b");
            path = match.Success ? match.Groups[1].Value : null;
            return Task.FromResult(path is not null);
        }, TimeSpan.FromSeconds(30), "the sign-in email");
        return path!;
    }

    private Task SeedDonorAsync() => _app.WithDbAsync(async db =>
    {
        var donor = new Donor { Email = Email, Name = "Grace Hopper", StripeCustomerId = "cus_grace", CreatedAt = DateTime.UtcNow };
        var membership = new Membership
        {
            Donor = donor, StripeSubscriptionId = "sub_grace", StripeCustomerId = "cus_grace", Status = "active",
            MonthlyAmount = 2500, Currency = "usd", Tier = "Supporter",
            CurrentPeriodEnd = new DateTime(2026, 4, 1, 16, 0, 0, DateTimeKind.Utc),
            StartedAt = new DateTime(2026, 1, 1, 16, 0, 0, DateTimeKind.Utc),
        };
        var gift = new Donation
        {
            Donor = donor, SettlementKey = "pi:pi_grace", Amount = 5000, Currency = "usd",
            Frequency = DonationFrequency.OneTime, Status = DonationStatus.Succeeded,
            ReceivedAt = new DateTime(2026, 3, 2, 16, 0, 0, DateTimeKind.Utc), CreatedAt = new DateTime(2026, 3, 2, 16, 0, 0, DateTimeKind.Utc),
        };
        db.AddRange(donor, membership, gift);
        db.Receipts.Add(new Receipt
        {
            Number = "2026-000042", Year = 2026, Sequence = 42, Donation = gift, Kind = ReceiptKind.Original,
            Status = ReceiptStatus.Sent, Amount = 5000, Currency = "usd", DeductibleAmount = 5000,
            IssuedAt = gift.ReceivedAt, MessageId = "r42@example.org",
        });
        await db.SaveChangesAsync();
    });
}
