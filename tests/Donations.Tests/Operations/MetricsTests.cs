using Donations.Tests.Infrastructure;

namespace Donations.Tests.Operations;

public sealed class MetricsTests
{
    [Fact]
    public async Task The_scrape_endpoint_exposes_the_services_own_meters_when_enabled()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Settings["Observability:PrometheusEndpoint"] = "/metrics");
        await app.Client.GetAsync("/health/ready");

        var text = "";
        await Wait.UntilAsync(async () =>
        {
            text = await app.Client.GetStringAsync("/metrics");
            return text.Contains("donations_webhook_inbox_backlog");
        }, what: "the inbox backlog gauge to be exported");

        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task A_gift_from_a_webhook_shows_in_the_scraped_webhook_and_settled_counters()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Settings["Observability:PrometheusEndpoint"] = "/metrics");
        var gift = new OneTimeGift(Amount: 4200, Currency: "eur");

        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());

        var text = "";
        await Wait.UntilAsync(async () =>
        {
            text = await app.Client.GetStringAsync("/metrics");
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
        await using var quiet = await DonationsApp.StartAsync(o => o.Settings["Observability:PrometheusEndpoint"] = "/metrics");
        await using var busy = await DonationsApp.StartAsync(o => o.Settings["Observability:PrometheusEndpoint"] = "/metrics");

        await busy.DeliverAndProcessAsync(new OneTimeGift(Amount: 4200, Currency: "eur").CheckoutCompleted());

        await Wait.UntilAsync(async () => (await busy.Client.GetStringAsync("/metrics")).Contains("donations_settled_total"),
            what: "the busy service to export its gift");
        var text = await quiet.Client.GetStringAsync("/metrics");
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
}
