using System.Net;
using System.Net.Http.Json;
using Donations.Api.Features.DonorPortal;
using Donations.Api.Features.Staff;
using Donations.Tests.DonorPortal;
using Donations.Tests.Infrastructure;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Security;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto, over a real loopback listener so the client address is
/// the socket's: believed only from proxies named in ForwardedHeaders:KnownProxies/KnownNetworks.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const int Attempts = 25;

    [Fact]
    public async Task Sign_in_attempts_with_a_rotating_X_Forwarded_For_and_no_proxy_configured_are_limited_like_one_address()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.HangfireServer = false; o.UseKestrel = true; });

        var statuses = await SignInFromRotatingAddressesAsync(app);

        Assert.Equal(StaffSetup.SignInAttemptsPerMinute, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(Attempts - StaffSetup.SignInAttemptsPerMinute, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Behind_a_configured_proxy_each_forwarded_client_address_has_its_own_limit()
    {
        await using var app = await StartBehindLoopbackProxyAsync();

        var statuses = await SignInFromRotatingAddressesAsync(app);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
    }

    [Fact]
    public async Task Behind_a_configured_proxy_rotating_IPv6_addresses_inside_one_64_are_limited_as_one_client()
    {
        await using var app = await StartBehindLoopbackProxyAsync();

        // One household or one attacker's /64: every address differs, the network is the same.
        var statuses = await SignInFromRotatingAddressesAsync(app, i => $"2001:db8:aa:1:{i:x}:{i * 7:x}:{i * 13:x}:{i * 31:x}");

        Assert.Equal(StaffSetup.SignInAttemptsPerMinute, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(Attempts - StaffSetup.SignInAttemptsPerMinute, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Behind_a_configured_proxy_IPv6_clients_in_different_64s_each_have_their_own_limit()
    {
        await using var app = await StartBehindLoopbackProxyAsync();

        // The same interface id in a different /64 each time: only the network part tells them apart.
        var statuses = await SignInFromRotatingAddressesAsync(app, i => $"2001:db8:aa:{i:x}::1");

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
    }

    [Fact]
    public async Task Behind_a_configured_proxy_checkout_attempts_are_limited_per_forwarded_client_address()
    {
        await using var app = await StartBehindLoopbackProxyAsync(o => o.Settings["Donations:RateLimit:PerClientPermitLimit"] = "2");
        var gift = new { amount = 2500, currency = "usd", frequency = "one-time" };
        async Task<HttpStatusCode> CheckoutFromAsync(string address)
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
            return (await client.PostAsJsonAsync("/api/checkout", gift)).StatusCode;
        }

        var first = new[] { await CheckoutFromAsync("203.0.113.7"), await CheckoutFromAsync("203.0.113.7"), await CheckoutFromAsync("203.0.113.7") };
        var second = await CheckoutFromAsync("198.51.100.9");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], first);
        Assert.Equal(HttpStatusCode.OK, second);
        Assert.Equal(3, app.Stripe.RequestsTo("POST", "/v1/checkout/sessions").Count());
    }

    [Fact]
    public async Task Behind_a_configured_proxy_sign_in_link_requests_are_limited_per_forwarded_client_address()
    {
        await using var app = await StartBehindLoopbackProxyAsync();
        async Task<List<HttpStatusCode>> AskFromAsync(string address, int times)
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
            var token = await Portal.FormTokenAsync(client, "/manage");
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < times; i++)
                answers.Add((await Portal.PostFormAsync(client, "/manage", token, ("email", $"reader{i}.{address}@example.com"))).StatusCode);
            return answers;
        }

        var first = await AskFromAsync("203.0.113.7", PortalRateLimits.RequestsPerAddress + 1);
        var second = await AskFromAsync("198.51.100.9", 1);

        Assert.All(first.Take(PortalRateLimits.RequestsPerAddress), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, first[^1]);
        Assert.Equal([HttpStatusCode.OK], second);
    }

    [Fact]
    public async Task A_client_claiming_X_Forwarded_Proto_https_is_still_served_as_plain_http()
    {
        // Development, where cookies follow the request's scheme: a believed claim would mark them Secure.
        await using var app = await DonationsApp.StartAsync(o => { o.HangfireServer = false; o.UseKestrel = true; o.Environment = "Development"; });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        var page = await client.GetAsync(StaffAuthentication.LoginPath);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var cookie = Assert.Single(page.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".Donations.Antiforgery=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
    }

    /// <summary>The proxy is this test on loopback: its X-Forwarded-For is believed.</summary>
    private static Task<DonationsApp> StartBehindLoopbackProxyAsync(Action<DonationsAppOptions>? configure = null) => DonationsApp.StartAsync(o =>
    {
        o.HangfireServer = false;
        o.UseKestrel = true;
        o.Settings["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        o.Settings["ForwardedHeaders:KnownProxies:1"] = "::1";
        configure?.Invoke(o);
    });

    /// <summary>All at once, so that every attempt falls in one one-minute window however slow the machine.</summary>
    private static async Task<List<HttpStatusCode>> SignInFromRotatingAddressesAsync(DonationsApp app, Func<int, string>? address = null)
    {
        address ??= i => $"203.0.113.{i}";
        var attempts = Enumerable.Range(1, Attempts).Select(async i =>
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add("X-Forwarded-For", address(i));
            return (await SignInAsync(client, $"someone{i}@example.org", "whatever password")).StatusCode;
        });
        return [.. await Task.WhenAll(attempts)];
    }
}
