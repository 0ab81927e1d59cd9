using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

[assembly: HostingStartup(typeof(Donations.Tests.Infrastructure.TestClockStartup))]

namespace Donations.Tests.Infrastructure;

/// <summary>
/// Lets a test move the app's clock: <c>DonationsApp.StartAsync(o => o.UseTestClock())</c>, then
/// <c>app.Clock().Advance(...)</c>. It registers a <see cref="FakeTimeProvider"/> (starting at the
/// real time, standing still until advanced) through ASP.NET Core's hosting-startup hook, before
/// the app's own registrations, which keep a clock that is already there.
/// </summary>
public static class TestClock
{
    public static void UseTestClock(this DonationsAppOptions options) =>
        options.Settings[WebHostDefaults.HostingStartupAssembliesKey] = typeof(TestClockStartup).Assembly.GetName().Name;

    public static FakeTimeProvider Clock(this DonationsApp app) =>
        app.Services.GetRequiredService<TimeProvider>() as FakeTimeProvider
        ?? throw new InvalidOperationException("Start the app with options.UseTestClock() to control its clock.");
}

/// <summary>Only runs when a test names this assembly in the hosting-startup setting.</summary>
public sealed class TestClockStartup : IHostingStartup
{
    public void Configure(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow)));
}
