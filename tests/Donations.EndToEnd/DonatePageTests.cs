using System.Text.RegularExpressions;
using Donations.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Donations.EndToEnd;

/// <summary>A reader gives through the donate page in a real browser and lands on Checkout.</summary>
public sealed class DonatePageTests(Browser browser) : IClassFixture<Browser>, IAsyncLifetime
{
    private DonationsApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await DonationsApp.StartAsync(o => { o.UseKestrel = true; o.HangfireServer = false; });

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    private async Task<IPage> OpenDonatePageAsync(IBrowserContext context, string query = "")
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(_app.BaseAddress, "/donate" + query).ToString());
        return page;
    }

    /// <summary>Waits for the stand-in's Checkout page and returns the one session creation behind it.</summary>
    private async Task<StripeRequest> ArrivedAtCheckoutAsync(IPage page)
    {
        try
        {
            await page.WaitForURLAsync(new Regex($"^{Regex.Escape(_app.Stripe.BaseUrl)}/checkout/cs_"));
        }
        catch (TimeoutException e)
        {
            // Say where the reader was left instead (an error page, the form again), for whoever reads the failure.
            string text;
            try { text = await page.InnerTextAsync("body", new() { Timeout = 5_000 }); }
            catch (Exception) { text = "(no page text)"; }
            throw new TimeoutException($"Checkout was not reached; the browser is at {page.Url}, showing: {text[..Math.Min(text.Length, 500)]}", e);
        }
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Stripe Checkout (test stand-in)");
        return Assert.Single(_app.Stripe.RequestsTo("POST", "/v1/checkout/sessions"));
    }

    [Fact]
    public async Task Reader_chooses_monthly_with_the_fee_and_lands_on_Checkout_for_exactly_what_the_page_showed()
    {
        await using var context = await browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1024, Height = 1100 } });
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await OpenDonatePageAsync(context, "?campaign=spring-appeal&source=article-17");

        await page.GetByLabel("Monthly").CheckAsync();
        await page.GetByLabel("$50", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("to cover card processing fees").CheckAsync();
        await page.GetByLabel("Email").FillAsync("reader@example.com");

        // The script shows the grossed-up fee and total before anything is sent.
        await Assertions.Expect(page.Locator("#fee-amount")).ToHaveTextAsync("$1.81");
        await Assertions.Expect(page.Locator("#summary")).ToContainTextAsync("You will give $51.81 every month");
        await Assertions.Expect(page.GetByRole(AriaRole.Button)).ToHaveTextAsync("Donate $51.81 monthly");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("donate-desktop.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button).ClickAsync();

        var sent = await ArrivedAtCheckoutAsync(page);
        Assert.Equal("subscription", sent["mode"]);
        Assert.Equal("5181", sent["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("181", sent["metadata[fee_amount]"]);
        Assert.Equal("spring-appeal", sent["metadata[campaign]"]);
        Assert.Equal("article-17", sent["subscription_data[metadata][source]"]);
        Assert.Equal("reader@example.com", sent["customer_email"]);
    }

    [Fact]
    public async Task Switching_to_yen_shows_whole_yen_and_charges_them()
    {
        await using var context = await browser.Chromium.NewContextAsync();
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await OpenDonatePageAsync(context);

        await page.GetByLabel("Currency").SelectOptionAsync("jpy");
        await page.GetByLabel("Other amount").FillAsync("1000");
        await page.GetByLabel("to cover card processing fees").CheckAsync();

        // ceil(1000 / 0.971) = 1030; the 0.30 fixed part is less than a yen.
        await Assertions.Expect(page.Locator("#fee-amount")).ToHaveTextAsync("¥30");
        await Assertions.Expect(page.GetByRole(AriaRole.Button)).ToHaveTextAsync("Donate ¥1,030");
        await Assertions.Expect(page.Locator("#amount-hint")).ToHaveTextAsync("Any amount from ¥50 to ¥1,000,000.");
        await page.GetByRole(AriaRole.Button).ClickAsync();

        var sent = await ArrivedAtCheckoutAsync(page);
        Assert.Equal("jpy", sent["line_items[0][price_data][currency]"]);
        Assert.Equal("1030", sent["line_items[0][price_data][unit_amount]"]);
    }

    [Fact]
    public async Task Without_script_the_form_still_posts_and_reaches_Checkout()
    {
        await using var context = await browser.Chromium.NewContextAsync(new() { JavaScriptEnabled = false });
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await OpenDonatePageAsync(context);

        await page.GetByLabel("Other amount").FillAsync("12.50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to secure payment" }).ClickAsync();

        var sent = await ArrivedAtCheckoutAsync(page);
        Assert.Equal("payment", sent["mode"]);
        Assert.Equal("1250", sent["line_items[0][price_data][unit_amount]"]);
    }

    [Fact]
    public async Task Keyboard_alone_can_choose_and_give_and_a_too_small_amount_is_explained_on_the_page()
    {
        await using var context = await browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 } });
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await OpenDonatePageAsync(context);

        await page.GetByLabel("Other amount").FocusAsync();
        await page.Keyboard.TypeAsync("2");
        await Assertions.Expect(page.Locator("#summary")).ToContainTextAsync("Choose an amount from $5 to $10,000");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("donate-phone.png"), FullPage = true });
        await TabToAsync(page, "button");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The smallest gift we can accept is $5.00.");
        await Assertions.Expect(page.GetByLabel("Other amount")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("donate-error.png"), FullPage = true });
        Assert.Empty(_app.Stripe.Requests);
    }

    private static async Task TabToAsync(IPage page, string tag)
    {
        for (var i = 0; i < 40; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string>("document.activeElement.tagName.toLowerCase()") == tag) return;
        }
        Assert.Fail($"Tab never reached a {tag}.");
    }
}
