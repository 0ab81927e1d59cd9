using System.Net;
using Donations.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Operations;

public sealed class MetricsTests
{
    internal const int ManagementPort = 9464;

    private static Task<DonationsApp> StartWithMetricsAsync() => DonationsApp.StartAsync(o =>
    {
        o.Settings["Observability:PrometheusEndpoint"] = "/metrics";
        o.Settings["Observability:ManagementUrl"] = $"http://127.0.0.1:{ManagementPort}";
    });

    /// <summary>A request the in-memory server sees as arriving on the management listener's port.</summary>
    internal static async Task<string> ScrapeOnManagementListenerAsync(DonationsApp app)
    {
        var server = (TestServer)app.Services.GetRequiredService<IServer>();
        var context = await server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/metrics";
            c.Connection.LocalPort = ManagementPort;
        });
        Assert.Equal((int)HttpStatusCode.OK, context.Response.StatusCode);
        return await new StreamReader(context.Response.Body).ReadToEndAsync();
    }

    [Fact]
    public async Task The_scrape_endpoint_exposes_the_services_own_meters_when_enabled()
    {
        await using var app = await StartWithMetricsAsync();
        await app.Client.GetAsync("/health/ready");

        var text = "";
        await Wait.UntilAsync(async () =>
        {
            text = await ScrapeOnManagementListenerAsync(app);
            return text.Contains("donations_webhook_inbox_backlog");
        }, what: "the inbox backlog gauge to be exported");

        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task A_gift_from_a_webhook_shows_in_the_scraped_webhook_and_settled_counters()
    {
        await using var app = await StartWithMetricsAsync();
        var gift = new OneTimeGift(Amount: 4200, Currency: "eur");

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());

        var text = "";
        await Wait.UntilAsync(async () =>
        {
            text = await ScrapeOnManagementListenerAsync(app);
            return text.Contains("donations_settled") && text.Contains("donations_webhook_events");
        }, what: "the webhook and settled counters to be exported");
        // Exactly this app's one event: each app reads only its own meters, whatever else runs in the process.
        var webhookSeries = System.Text.RegularExpressions.Regex.Matches(text,
            @"^donations_webhook_events_total\{[^}]*type=""checkout\.session\.completed""[^}]*\} (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.NotEmpty(webhookSeries);
        Assert.All(webhookSeries, m => Assert.Equal("1", m.Groups[1].Value));
        Assert.Matches(@"donations_settled_total\{[^}]*currency=""eur""[^}]*frequency=""one-time""[^}]*\} 1\b", text);
        Assert.Matches(@"donations_amount_total\{[^}]*currency=""eur""[^}]*\} 4200\b", text);
    }

    [Fact]
    public async Task Two_services_in_one_process_each_count_only_their_own_gifts()
    {
        await using var quiet = await StartWithMetricsAsync();
        await using var busy = await StartWithMetricsAsync();

        await busy.DeliverAndProcessAsync(new OneTimeGift(Amount: 4200, Currency: "eur").CheckoutCompleted());

        await Wait.UntilAsync(async () => (await ScrapeOnManagementListenerAsync(busy)).Contains("donations_settled_total"),
            what: "the busy service to export its gift");
        var text = await ScrapeOnManagementListenerAsync(quiet);
        Assert.Contains("donations_webhook_inbox_backlog", text);
        Assert.DoesNotContain("donations_settled_total", text);
    }

    [Fact]
    public async Task There_is_no_scrape_endpoint_unless_it_is_configured()
    {
        await using var app = await DonationsApp.StartAsync();

        var response = await app.Client.GetAsync("/metrics");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/Metrics")]
    [InlineData("/METRICS")]
    [InlineData("/metrics/")]
    public async Task The_public_listener_never_serves_the_scrape_endpoint_in_any_spelling(string path)
    {
        await using var app = await StartWithMetricsAsync();

        var response = await app.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("http_server_request_duration_seconds", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_service_process_serves_metrics_on_its_management_listener_and_not_on_the_public_one()
    {
        var dir = Directory.CreateTempSubdirectory("donations-metrics-").FullName;
        var management = FreePort.Next();
        try
        {
            await using var service = await ServiceProcess.StartAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Donations"] = $"Data Source={Path.Combine(dir, "donations.db")}",
                ["Email:PickupDirectory"] = Path.Combine(dir, "outbox"),
                ["Observability:PrometheusEndpoint"] = "/metrics",
                ["Observability:ManagementUrl"] = $"http://127.0.0.1:{management}",
            }, dir, environment: "Development");
            using var http = new HttpClient();
            // The process counts as started once its public listener answers; the management
            // listener may bind a moment later.
            HttpResponseMessage? onManagement = null;
            await Wait.UntilAsync(async () =>
            {
                try { onManagement = await http.GetAsync($"http://127.0.0.1:{management}/metrics"); return true; }
                catch (HttpRequestException) { return false; }
            }, TimeSpan.FromSeconds(30), "the management listener to answer");

            var onPublic = await http.GetAsync(new Uri(service.BaseAddress, "/metrics"));

            Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
            Assert.Equal(HttpStatusCode.OK, onManagement!.StatusCode);
            Assert.Contains("# TYPE", await onManagement.Content.ReadAsStringAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_scrape_endpoint_without_a_management_listener_stops_start_up_naming_the_key()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await DonationsApp.StartAsync(o => o.Settings["Observability:PrometheusEndpoint"] = "/metrics");
            await app.Client.GetAsync("/health/live");
        });

        Assert.Contains("Observability:ManagementUrl", error.ToString());
    }
}
