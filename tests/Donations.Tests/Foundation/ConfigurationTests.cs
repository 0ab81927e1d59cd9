using Donations.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Donations.Tests.Foundation;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Organization:LegalName")]
    [InlineData("Organization:TaxId")]
    [InlineData("Email:From")]
    [InlineData("Donations:PublicBaseUrl")]
    [InlineData("Stripe:SecretKey")]
    [InlineData("DataProtection:CertificatePath")]
    public async Task A_missing_required_key_stops_start_up_with_a_message_naming_it(string key)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await DonationsApp.StartAsync(o => o.Settings[key] = "");
            await app.Client.GetAsync("/health/live");
        });

        Assert.Contains(key, Flatten(error));
    }

    [Theory]
    [InlineData("Email:Smtp:BatchSize", "0")]
    [InlineData("Email:Smtp:ClaimLease", "00:00:01")]
    [InlineData("Email:Smtp:Connections", "0")]
    public async Task An_out_of_range_sending_setting_stops_start_up_with_a_message_naming_it(string key, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await DonationsApp.StartAsync(o => o.Settings[key] = value);
            await app.Client.GetAsync("/health/live");
        });

        Assert.Contains(key, Flatten(error));
    }

    [Fact]
    public async Task Development_starts_without_Stripe_keys()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Environment = "Development";
            o.Settings["Stripe:SecretKey"] = "";
            o.Settings["Stripe:WebhookSecrets:0"] = "";
        });

        var response = await app.Client.GetAsync("/health/ready");

        Assert.True(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task An_invalid_time_zone_is_refused_by_name()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await DonationsApp.StartAsync(o => o.Settings["Organization:TimeZone"] = "Mars/Olympus");
            await app.Client.GetAsync("/health/live");
        });

        Assert.Contains("Organization:TimeZone", Flatten(error));
    }

    private static string Flatten(Exception e) =>
        e is OptionsValidationException ove ? string.Join("; ", ove.Failures) :
        e is AggregateException ae ? string.Join("; ", ae.InnerExceptions.Select(Flatten)) :
        e.Message + (e.InnerException is null ? "" : "; " + Flatten(e.InnerException));
}
