using System.Net;
using System.Text.Json;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Operations;

public sealed class OpenApiTests
{
    [Fact]
    public async Task Development_publishes_the_OpenAPI_document()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Environment = "Development");

        var json = await app.Client.GetStringAsync("/openapi/v1.json");

        using var doc = JsonDocument.Parse(json);
        Assert.StartsWith("3.", doc.RootElement.GetProperty("openapi").GetString());
        Assert.True(doc.RootElement.TryGetProperty("paths", out _));
    }

    [Fact]
    public async Task Production_does_not_publish_it()
    {
        await using var app = await DonationsApp.StartAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
