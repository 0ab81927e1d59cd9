using Donations.Api.Features.DonorPortal;
using Donations.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.DonorPortal;

/// <summary>
/// The address a sign-in link job carries is sealed for an hour: the seal itself says when it stops
/// opening (read back with the service's own keys and purpose), and one past that opens to nothing.
/// </summary>
public sealed class SealedSignInRequestTests
{
    private const string Purpose = "Donations.DonorPortal.SignInRequest";

    [Fact]
    public async Task A_sealed_request_stops_opening_one_hour_after_it_was_sealed()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var requests = app.Services.GetRequiredService<SignInRequests>();
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).ToTimeLimitedDataProtector();

        var before = DateTimeOffset.UtcNow;
        var sealedRequest = requests.Seal("hour@example.com");
        var after = DateTimeOffset.UtcNow;

        Assert.Equal("hour@example.com", protector.Unprotect(sealedRequest, out var expiry));
        Assert.InRange(expiry, before.AddHours(1).AddSeconds(-1), after.AddHours(1).AddSeconds(1));
        Assert.Equal("hour@example.com", requests.Open(sealedRequest));
    }

    [Fact]
    public async Task A_request_whose_hour_has_passed_sends_no_link_to_a_real_donor()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        await Portal.SeedDonorAsync(app, "late@example.com");
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).ToTimeLimitedDataProtector();
        var expired = protector.Protect("late@example.com", DateTimeOffset.UtcNow.AddSeconds(-1));
        var current = protector.Protect("late@example.com", DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Null(app.Services.GetRequiredService<SignInRequests>().Open(expired));
        await SendAsync(app, expired);
        Assert.Empty(app.Smtp!.Messages);

        // The same address sealed the same way but still within its time gets its link.
        await SendAsync(app, current);
        Assert.Single(app.Smtp.Messages);
    }

    private static async Task SendAsync(DonationsApp app, string sealedRequest)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SendSignInLink>().RunAsync(sealedRequest, CancellationToken.None);
    }
}
