using System.Net;
using System.Net.Http.Json;
using Donations.Api.Features.Statements;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Donations.Tests.Staff;
using Microsoft.EntityFrameworkCore;

namespace Donations.Tests.Statements;

/// <summary>Staff start runs over HTTP (Admin only) and follow them (Finance and Admin).</summary>
public sealed class StatementsApiTests
{
    [Fact]
    public async Task Admin_starts_a_run_and_follows_it_to_completion_at_the_Location_given()
    {
        await using var app = await DonationsApp.StartAsync(o => o.Provider = DatabaseProvider.Postgres);
        await app.GiftAsync(await app.DonorAsync("Ada Lovelace", "ada@example.com"), new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc), 2500);
        var admin = await StaffTestSupport.SignedInAsync(app, StaffRoles.Admin);

        var answer = await StaffTestSupport.PostApiAsync(admin, "/api/finance/statements/2025");

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var started = await answer.Content.ReadFromJsonAsync<StatementsApi.RunResponse>();
        Assert.Equal($"/api/finance/statements/runs/{started!.Id}", answer.Headers.Location?.OriginalString);
        Assert.Equal((2025, false, "Running"), (started.Year, started.Resend, started.Status));
        Assert.StartsWith("admin-", started.RequestedBy);

        StatementsApi.RunResponse? progress = null;
        await Wait.UntilAsync(async () =>
        {
            progress = await admin.GetFromJsonAsync<StatementsApi.RunResponse>(answer.Headers.Location);
            return progress!.Status == "Completed";
        }, what: "the run to show as completed");
        Assert.Equal((1, 1, 0, 0), (progress!.DonorsTotal, progress.Sent, progress.Skipped, progress.Failed));
        Assert.Single(app.Statements());

        var resend = await StaffTestSupport.PostApiAsync(admin, "/api/finance/statements/2025?resend=true");
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        Assert.True((await resend.Content.ReadFromJsonAsync<StatementsApi.RunResponse>())!.Resend);
        await Wait.UntilAsync(async () =>
        {
            progress = await admin.GetFromJsonAsync<StatementsApi.RunResponse>(resend.Headers.Location);
            return progress!.Status == "Completed";
        }, what: "the resend run to show as completed");
        Assert.Equal((1, 1), (progress!.DonorsTotal, progress.Sent));
        var mails = app.Statements();
        Assert.Equal(2, mails.Count);
        Assert.Single(mails.Select(m => m.To.Mailboxes.Single().Address).Distinct());
    }

    [Fact]
    public async Task Finance_staff_follow_runs_but_cannot_start_one()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var finance = await StaffTestSupport.SignedInAsync(app, StaffRoles.Finance);
        var run = await app.WithDbAsync(async db =>
        {
            var r = new StatementRun { Year = 2025, Status = StatementRunStatus.Running, DonorsTotal = 40, Sent = 12, StartedAt = DateTime.UtcNow };
            db.StatementRuns.Add(r);
            await db.SaveChangesAsync();
            return r;
        });

        Assert.Equal(HttpStatusCode.Forbidden, (await StaffTestSupport.PostApiAsync(finance, "/api/finance/statements/2025")).StatusCode);
        var progress = await finance.GetFromJsonAsync<StatementsApi.RunResponse>($"/api/finance/statements/runs/{run.Id}");
        Assert.Equal((40, 12, "Running"), (progress!.DonorsTotal, progress.Sent, progress.Status));
        Assert.Equal(HttpStatusCode.NotFound, (await finance.GetAsync($"/api/finance/statements/runs/{run.Id + 1}")).StatusCode);
        var latest = await finance.GetFromJsonAsync<List<StatementsApi.RunResponse>>("/api/finance/statements/runs");
        Assert.Equal([run.Id], latest!.Select(r => r.Id));
        Assert.Equal(1, await app.WithDbAsync(db => db.StatementRuns.CountAsync()));
    }

    [Fact]
    public async Task Anonymous_callers_are_refused_and_start_nothing()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);

        Assert.Equal(HttpStatusCode.Unauthorized, (await StaffTestSupport.PostApiAsync(app.Client, "/api/finance/statements/2025")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.GetAsync("/api/finance/statements/runs/1")).StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.StatementRuns.CountAsync()));
    }

    [Fact]
    public async Task A_year_not_yet_begun_or_before_records_is_refused_with_a_reason()
    {
        await using var app = await DonationsApp.StartAsync(o => o.HangfireServer = false);
        var admin = await StaffTestSupport.SignedInAsync(app, StaffRoles.Admin);

        foreach (var year in new[] { 1999, DateTime.UtcNow.Year + 2 })
        {
            var answer = await StaffTestSupport.PostApiAsync(admin, $"/api/finance/statements/{year}");
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.Contains("between 2000 and the current year", await answer.Content.ReadAsStringAsync());
        }
        Assert.Equal(0, await app.WithDbAsync(db => db.StatementRuns.CountAsync()));
    }
}
