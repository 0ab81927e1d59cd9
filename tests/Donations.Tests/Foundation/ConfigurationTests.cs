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
        Assert.Contains(key, await StartUpErrorAsync(key, ""));
    }

    [Theory]
    [InlineData("Email:Smtp:BatchSize", "0")]
    [InlineData("Email:Smtp:ClaimLease", "00:00:01")]
    [InlineData("Email:Smtp:Connections", "0")]
    public async Task An_out_of_range_sending_setting_stops_start_up_with_a_message_naming_it(string key, string value)
    {
        Assert.Contains(key, await StartUpErrorAsync(key, value));
    }

    [Theory]
    [InlineData("Statements:Cron", "0 9 31 13 *")]
    [InlineData("Statements:Cron", "every January")]
    [InlineData("Stripe:ReconcileCron", "61 * * * *")]
    [InlineData("Stripe:ReconcileCron", "@hourly")]
    public async Task An_invalid_cron_expression_stops_start_up_with_a_message_naming_its_key(string key, string value)
    {
        Assert.Contains(key, await StartUpErrorAsync(key, value));
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
    public async Task A_territories_notice_setting_that_is_not_true_or_false_is_refused_by_name()
    {
        Assert.Contains("Organization:UsTerritoriesGetUsNotice", await StartUpErrorAsync("Organization:UsTerritoriesGetUsNotice", "sometimes"));
    }

    [Fact]
    public async Task An_invalid_time_zone_is_refused_by_name()
    {
        Assert.Contains("Organization:TimeZone", await StartUpErrorAsync("Organization:TimeZone", "Mars/Olympus"));
    }

    /// <summary>Starts the service with one setting changed; returns every message of the failure it must stop with.</summary>
    private static async Task<string> StartUpErrorAsync(string key, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await DonationsApp.StartAsync(o => o.Settings[key] = value);
            await app.Client.GetAsync("/health/live");
        });
        return Flatten(error);
    }

    private static string Flatten(Exception e) =>
        e is OptionsValidationException ove ? string.Join("; ", ove.Failures) :
        e is AggregateException ae ? string.Join("; ", ae.InnerExceptions.Select(Flatten)) :
        e.Message + (e.InnerException is null ? "" : "; " + Flatten(e.InnerException));
}
