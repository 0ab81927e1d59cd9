using System.Net;
using System.Text.RegularExpressions;
using Donations.Api.Features.Staff;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Staff;

/// <summary>Staff accounts made with the real command, and sign-in done the way a browser does it.</summary>
internal static partial class StaffTestSupport
{
    public const string Password = "correct horse battery staple";

    public static async Task<(int Exit, string Output, string Error)> RunStaffCommandAsync(
        DonationsApp app, string standardInput, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var command = new StaffCommand(new StringReader(standardInput), output, error, () => null);
        var exit = await command.RunAsync(app.Services, args, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    public static async Task CreateStaffAsync(DonationsApp app, string email, string role, string password = Password)
    {
        var (exit, _, error) = await RunStaffCommandAsync(app, password + "\n", "add", email, "--role", role);
        Assert.True(exit == 0, error);
    }

    /// <summary>GET the form, take its antiforgery token (the cookie stays in the client), POST it back.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password, string? returnUrl = null)
    {
        var page = await client.GetAsync(StaffAuthentication.LoginPath + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        return await client.PostAsync(StaffAuthentication.LoginPath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = FormToken(html),
            ["returnUrl"] = WebUtility.HtmlDecode(ReturnUrlField().Match(html).Groups[1].Value),
            ["email"] = email,
            ["password"] = password,
        }));
    }

    /// <summary>A fresh client signed in as a new staff member with this role.</summary>
    public static async Task<HttpClient> SignedInAsync(DonationsApp app, string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@example.org";
        await CreateStaffAsync(app, email, role);
        var client = app.CreateClient();
        var answer = await SignInAsync(client, email, Password);
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        return client;
    }

    /// <summary>A state change through the finance API, the way a script does it: with the API header, no Origin.</summary>
    public static Task<HttpResponseMessage> PostApiAsync(HttpClient client, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add(Api.Infrastructure.Web.CrossSiteRequests.ApiHeader, "tests");
        return client.SendAsync(request);
    }

    public static string FormToken(string html) => WebUtility.HtmlDecode(FormTokenField().Match(html).Groups[1].Value);

    /// <summary>The header name and token the dashboard's script sends with its POSTs.</summary>
    public static async Task<(string Header, string Token)> DashboardAntiforgeryAsync(HttpClient client, string path = "/hangfire")
    {
        var html = await client.GetStringAsync(path);
        return (WebUtility.HtmlDecode(CsrfHeader().Match(html).Groups[1].Value), WebUtility.HtmlDecode(CsrfToken().Match(html).Groups[1].Value));
    }

    public static async Task<HttpResponseMessage> PostToDashboardAsync(HttpClient client, string path, Dictionary<string, string> form)
    {
        var (header, token) = await DashboardAntiforgeryAsync(client);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add(header, token);
        return await client.SendAsync(request);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenField();
    [GeneratedRegex("name=\"returnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlField();
    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfHeader();
    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfToken();
}
