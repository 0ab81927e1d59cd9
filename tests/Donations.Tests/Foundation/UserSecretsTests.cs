using System.Text.Json;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Foundation;

/// <summary>
/// <c>dotnet user-secrets</c> values are read in Development only: the built executable, run with
/// a home folder of its own that holds the service's secrets file, shows the organisation named
/// there in Development, and in Production starts as if the file did not exist.
/// </summary>
public sealed class UserSecretsTests
{
    private const string SecretName = "Journal Named In User Secrets";

    [Fact]
    public async Task User_secrets_are_read_in_Development_and_ignored_in_Production()
    {
        var dir = Directory.CreateTempSubdirectory("donations-secrets-").FullName;
        try
        {
            // Where `dotnet user-secrets set … --project src/Donations.Api` writes on Linux.
            var secrets = Path.Combine(dir, "home", ".microsoft", "usersecrets", "donations-api", "secrets.json");
            Directory.CreateDirectory(Path.GetDirectoryName(secrets)!);
            await File.WriteAllTextAsync(secrets, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["Organization:Name"] = SecretName,
                ["Organization:LegalName"] = "Secret Journal Foundation, Inc.",
                ["Organization:TaxId"] = "98-7654321",
                ["Organization:Address"] = "1 Secret Street, Springfield, MA 01101",
                ["Organization:Website"] = "https://secret.example.org",
                ["Organization:ReceiptSignatory"] = "John Roe, Treasurer",
                ["Email:From"] = "Secret Journal <donations@secret.example.org>",
            }));

            await using (var development = await ServiceProcess.StartAsync(Settings(dir, "development"), dir, environment: "Development"))
            {
                using var http = development.CreateClient();
                Assert.Contains(SecretName, await http.GetStringAsync("/staff/login"));
            }

            // Everything Production requires but the organisation and sender, which only the secrets file holds.
            var production = Settings(dir, "production");
            production["Stripe:SecretKey"] = "sk_test_x";
            production["Stripe:WebhookSecrets:0"] = StripeSignature.Secret;
            production["DataProtection:CertificatePath"] = TestKeyRing.CertificatePath;
            production["Donations:PublicBaseUrl"] = "https://donate.example.org";
            await using var refused = await ServiceProcess.StartAsync(production, dir, environment: "Production", waitUntilLive: false);

            Assert.NotEqual(0, await refused.WaitForExitAsync());
            Assert.Contains("Organization:LegalName", refused.Output);
            Assert.DoesNotContain(SecretName, refused.Output);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Dictionary<string, string?> Settings(string dir, string name) => new()
    {
        ["HOME"] = Path.Combine(dir, "home"),
        ["ConnectionStrings:Donations"] = $"Data Source={Path.Combine(dir, name, "donations.db")}",
        ["Email:PickupDirectory"] = Path.Combine(dir, name, "outbox"),
    };
}
