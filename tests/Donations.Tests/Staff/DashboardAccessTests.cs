using System.Net;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using static Donations.Tests.Staff.StaffTestSupport;

namespace Donations.Tests.Staff;

/// <summary>Who may reach the staff pages, the Hangfire dashboard (JSON stats included) and the exports.</summary>
public sealed class DashboardAccessTests
{
    /// <summary>Every staff path, and how an anonymous caller is turned away: pages by a redirect to sign-in, the rest by 401.</summary>
    public static TheoryData<string, string, HttpStatusCode> StaffPaths => new()
    {
        { "GET", "/staff", HttpStatusCode.Redirect },
        { "GET", "/hangfire", HttpStatusCode.Redirect },
        { "GET", "/hangfire/jobs/failed", HttpStatusCode.Redirect },
        { "GET", "/hangfire/recurring", HttpStatusCode.Redirect },
        { "POST", "/hangfire/stats", HttpStatusCode.Unauthorized },
        { "POST", "/hangfire/recurring/trigger", HttpStatusCode.Unauthorized },
        { "POST", "/hangfire/jobs/failed/requeue", HttpStatusCode.Unauthorized },
        { "GET", "/api/finance/donations.csv", HttpStatusCode.Unauthorized },
        { "GET", "/api/finance/members.csv", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(StaffPaths))]
    public async Task Anonymous_requests_to_staff_paths_are_refused(string method, string path, HttpStatusCode expected)
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);

        var answer = await SendAsync(app.Client, method, path);

        Assert.Equal(expected, answer.StatusCode);
        if (expected == HttpStatusCode.Redirect)
            Assert.StartsWith("/staff/login?returnUrl=", answer.Headers.Location!.OriginalString);
        Assert.DoesNotContain("Example Journal — jobs", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Requests_from_127_0_0_1_without_sign_in_are_refused_by_the_real_server()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.HangfireServer = false; o.UseKestrel = true; });
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var loopback = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{address.Port}"),
        };

        foreach (var (method, path, expected) in StaffPaths.Select(row => ((string)row[0], (string)row[1], (HttpStatusCode)row[2])))
        {
            var answer = await SendAsync(loopback, method, path);
            Assert.True(expected == answer.StatusCode, $"{method} {path} from 127.0.0.1 answered {answer.StatusCode}");
        }
    }

    [Fact]
    public async Task Finance_sees_the_dashboard_but_its_commands_are_refused()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var jobId = CreateFailedJob(app);
        var finance = await SignedInAsync(app, StaffRoles.Finance);

        Assert.Equal(HttpStatusCode.OK, (await finance.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await finance.GetAsync("/hangfire/jobs/failed")).StatusCode);
        var stats = await PostToDashboardAsync(finance, "/hangfire/stats", new() { ["metrics[]"] = "failed:count" });
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Contains("failed:count", await stats.Content.ReadAsStringAsync());

        var requeue = await PostToDashboardAsync(finance, $"/hangfire/jobs/actions/requeue/{jobId}", []);
        var delete = await PostToDashboardAsync(finance, "/hangfire/jobs/failed/delete", new() { ["jobs[]"] = jobId });
        var trigger = await PostToDashboardAsync(finance, "/hangfire/recurring/trigger", new() { ["jobs[]"] = "any" });

        Assert.Equal(HttpStatusCode.Forbidden, requeue.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, trigger.StatusCode);
        Assert.Equal(FailedState.StateName, JobState(app, jobId));
    }

    [Fact]
    public async Task Admin_can_retry_and_delete_jobs_but_only_with_the_dashboards_antiforgery_token()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var retried = CreateFailedJob(app);
        var deleted = CreateFailedJob(app);
        var admin = await SignedInAsync(app, StaffRoles.Admin);

        var forged = await admin.PostAsync($"/hangfire/jobs/actions/requeue/{retried}", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(FailedState.StateName, JobState(app, retried));

        Assert.Equal(HttpStatusCode.NoContent, (await PostToDashboardAsync(admin, $"/hangfire/jobs/actions/requeue/{retried}", [])).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await PostToDashboardAsync(admin, "/hangfire/jobs/failed/delete", new() { ["jobs[]"] = deleted })).StatusCode);
        Assert.Equal(EnqueuedState.StateName, JobState(app, retried));
        Assert.Equal(DeletedState.StateName, JobState(app, deleted));
    }

    private static string CreateFailedJob(DonationsApp app) =>
        app.Services.GetRequiredService<IBackgroundJobClient>()
            .Create(() => NeverRetriedJob.Run(), new FailedState(new InvalidOperationException("boom")));

    private static string? JobState(DonationsApp app, string jobId)
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? new FormUrlEncodedContent(new Dictionary<string, string> { ["metrics[]"] = "failed:count" }) : null,
        });
}

/// <summary>A job Hangfire does not retry automatically, so that one created Failed stays Failed.</summary>
public static class NeverRetriedJob
{
    [AutomaticRetry(Attempts = 0)]
    public static void Run() { }
}
