using Microsoft.Playwright;

namespace Donations.EndToEnd;

/// <summary>Debian's chromium, headless and offline, started once for the test run.</summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;
    public IBrowser Chromium { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage", "--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>Where screenshots go, for a person to look at after the run.</summary>
    public static string ScreenshotPath(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }
}
