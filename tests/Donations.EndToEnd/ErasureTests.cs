using Donations.Api.Features.Finance;
using Donations.Api.Features.Privacy;
using Donations.Api.Features.Staff;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Donations.EndToEnd;

/// <summary>
/// An Admin erases a donor from the staff page in a real browser; afterwards the staff pages and
/// the donations export the same browser reads hold neither the donor's name nor their email,
/// while the gifts, and so the totals, stay.
/// </summary>
public sealed class ErasureTests(Browser browser) : IClassFixture<Browser>
{
    private const string Admin = "admin@example.org", Password = "correct horse battery staple";

    [Fact]
    public async Task An_Admin_erases_a_donor_in_the_browser_and_the_name_and_email_are_gone_from_what_staff_see_while_the_totals_stay()
    {
        await using var app = await DonationsApp.StartAsync(o => o.UseKestrel = true);
        var leaving = new OneTimeGift(Amount: 5000, Email: "lea.ving@example.org", Name: "Lea Ving");
        var staying = new OneTimeGift(Amount: 3000, Email: "kim.stay@example.org", Name: "Kim Stay");
        await app.DeliverAndProcessAsync(leaving.CheckoutCompleted(), staying.CheckoutCompleted());
        await app.WaitForIdleJobsAsync();
        var error = new StringWriter();
        var command = new StaffCommand(new StringReader(Password + "\n"), new StringWriter(), error, () => null);
        Assert.True(await command.RunAsync(app.Services, ["add", Admin, "--role", StaffRoles.Admin], CancellationToken.None) == 0, error.ToString());
        await using var context = await browser.Chromium.NewContextAsync();
        context.SetDefaultTimeout(60_000); // pages behind a server sharing two busy cores (CI) may take longer than 30 s
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url(app, $"/staff/login?returnUrl={Uri.EscapeDataString(EraseDonorPage.Path)}"));
        await page.GetByLabel("Email").FillAsync(Admin);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await SignedInAtAsync(page, Url(app, EraseDonorPage.Path));
        var before = await page.APIRequest.GetAsync(Url(app, "/api/finance/donations.csv"));
        Assert.Contains("Lea Ving", await before.TextAsync());

        await page.GetByLabel("Donor's email address").FillAsync("lea.ving@example.org");
        await page.GetByLabel("I have checked this is the donor who asked").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase this donor" }).ClickAsync();
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("erased");

        var export = await (await page.APIRequest.GetAsync(Url(app, "/api/finance/donations.csv"))).TextAsync();
        await page.GotoAsync(Url(app, RevenuePage.Path));
        var revenue = await page.ContentAsync();
        await page.GotoAsync(Url(app, StripeEventsPage.Path));
        var events = await page.ContentAsync();
        foreach (var seen in new[] { export, revenue, events, await page.Locator("body").InnerTextAsync() })
        {
            Assert.DoesNotContain("Lea Ving", seen, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("lea.ving@example.org", seen, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains("Kim Stay", export);
        // Both gifts stay in the books: the export's rows and the revenue page's total for today.
        Assert.Equal(3, export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("80.00", revenue);
    }

    private static string Url(DonationsApp app, string path) => new Uri(app.BaseAddress, path).ToString();

    /// <summary>
    /// Waits until the browser has been sent on to <paramref name="url"/> (the navigation committed;
    /// the steps after it wait for what they use): a CI run once timed out waiting for that page's
    /// load event. A page not reached says where the browser was left instead.
    /// </summary>
    private static async Task SignedInAtAsync(IPage page, string url)
    {
        try
        {
            await page.WaitForURLAsync(url, new() { WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException e)
        {
            string text;
            try { text = await page.InnerTextAsync("body", new() { Timeout = 5_000 }); }
            catch (Exception) { text = "(no page text)"; }
            throw new TimeoutException($"{url} was not reached after signing in; the browser is at {page.Url}, showing: {text[..Math.Min(text.Length, 500)]}", e);
        }
    }
}
