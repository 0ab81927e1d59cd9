using System.Net;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Foundation;

/// <summary>The service started as an operator starts it: its own process, its own configuration files.</summary>
public sealed class ServiceProcessTests
{
    [Fact]
    public async Task The_embedded_default_creates_its_SQLite_database_and_is_ready()
    {
        var dir = Directory.CreateTempSubdirectory("donations-run-").FullName;
        try
        {
            var db = Path.Combine(dir, "data", "donations.db");
            await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Donations"] = $"Data Source={db}",
                ["Email:PickupDirectory"] = Path.Combine(dir, "data", "outbox"),
            }, dir, environment: "Development");
            using var http = service.CreateClient();

            var ready = await http.GetAsync("/health/ready");

            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.True(File.Exists(db));
            Assert.True(File.Exists(Path.Combine(dir, "data", "hangfire.db")));
            Assert.Contains("Stripe is not configured", service.Output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Production_without_the_organisation_refuses_to_start_and_names_the_key()
    {
        var dir = Directory.CreateTempSubdirectory("donations-run-").FullName;
        try
        {
            await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Donations"] = $"Data Source={Path.Combine(dir, "donations.db")}",
                ["Stripe:SecretKey"] = "sk_test_x",
                ["Stripe:WebhookSecrets:0"] = StripeSignature.Secret,
            }, dir, environment: "Production", waitUntilLive: false);

            var exit = await service.WaitForExitAsync();

            Assert.NotEqual(0, exit);
            Assert.Contains("Organization:LegalName", service.Output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
