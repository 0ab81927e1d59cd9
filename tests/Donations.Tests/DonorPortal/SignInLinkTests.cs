using System.Net;
using Donations.Api.Features.DonorPortal;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.DonorPortal;

public sealed class SignInLinkTests
{
    private static Task<DonationsApp> StartAsync(bool testClock = false) => DonationsApp.StartAsync(o =>
    {
        o.Provider = DatabaseProvider.Postgres;
        o.UseSmtp = true;
        if (testClock) o.UseTestClock();
    });

    [Fact]
    public async Task Start_page_asks_for_an_email_with_a_labelled_field_and_names_the_organisation()
    {
        await using var app = await StartAsync();

        var response = await app.Client.GetAsync("/manage");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Example Journal", page);
        Assert.Contains("""<label for="email">""", page);
        Assert.Contains("""<input id="email" name="email" type="email" autocomplete="email" required""", page);
        Assert.DoesNotContain("<script", page);
        Assert.DoesNotContain("src=\"http", page);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Donor_gets_a_link_by_email_that_signs_in_once_and_is_stored_only_as_a_hash()
    {
        await using var app = await StartAsync();
        var donor = await Portal.SeedDonorAsync(app, "ada@example.com", "Ada Lovelace");

        var asked = await Portal.RequestLinkAsync(app.Client, "  Ada@Example.com ");
        var email = await app.Smtp!.WaitForMessageAsync(m => m.To.Mailboxes.Any(a => a.Address == "ada@example.com"));
        var path = Portal.LinkPath(email);
        var token = path["/manage/".Length..];

        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("Example Journal", email.Subject);
        var stored = await app.WithDbAsync(db => db.DonorSignInTokens.AsNoTracking().SingleAsync());
        Assert.Equal(donor.Id, stored.DonorId);
        Assert.Equal(SignInTokens.Hash(token), stored.TokenHash);
        Assert.NotEqual(token, stored.TokenHash);
        Assert.Equal(TimeSpan.FromMinutes(30), stored.ExpiresAt - stored.CreatedAt);

        var browser = app.CreateClient();
        var first = await Portal.RedeemAsync(browser, path);
        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);
        Assert.Equal("/manage/account", first.Headers.Location?.OriginalString);
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".Donations.Donor="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/manage", cookie, StringComparison.OrdinalIgnoreCase);
        var account = await browser.GetAsync("/manage/account");
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Contains("ada@example.com", await account.Content.ReadAsStringAsync());

        // The same link again, from the same browser or another one, is refused.
        var again = await Portal.RedeemAsync(browser, path);
        var elsewhere = await Portal.RedeemAsync(app.CreateClient(), path);
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, elsewhere.StatusCode);
        var refusal = await elsewhere.Content.ReadAsStringAsync();
        Assert.Contains("expired or has already been used", refusal);
        Assert.Contains("""<form method="post" action="/manage">""", refusal);
    }

    [Fact]
    public async Task The_job_that_sends_the_link_carries_the_address_sealed_not_readable_in_the_dashboard()
    {
        await using var app = await DonationsApp.StartAsync(o => { o.UseSmtp = true; o.HangfireServer = false; });
        await Portal.SeedDonorAsync(app, "grace@example.com", "Grace Hopper");

        await Portal.RequestLinkAsync(app.Client, "grace@example.com");

        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var (jobId, job) = Assert.Single(monitoring.EnqueuedJobs(JobQueues.Email, 0, 100), j => j.Value.Job?.Type == typeof(SendSignInLink));
        var shown = string.Join(" ", monitoring.JobDetails(jobId).Job.Args.Select(a => a?.ToString()));
        Assert.DoesNotContain("grace", shown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("example.com", shown, StringComparison.OrdinalIgnoreCase);

        // The worker opens it and the donor gets the link.
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SendSignInLink>().RunAsync((string)job.Job.Args[0], CancellationToken.None);
        var email = await app.Smtp!.WaitForMessageAsync(m => m.To.Mailboxes.Any(a => a.Address == "grace@example.com"));
        Assert.StartsWith("/manage/", Portal.LinkPath(email));

        // Anything else handed to the job (tampered with, or sealed elsewhere) sends nothing.
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SendSignInLink>().RunAsync("grace@example.com", CancellationToken.None);
        Assert.Single(app.Smtp.Messages);
    }

    [Fact]
    public async Task Donor_and_stranger_get_the_same_answer_and_only_the_donor_gets_mail()
    {
        await using var app = await StartAsync();
        await Portal.SeedDonorAsync(app, "donor@example.com");

        var stranger = await Portal.RequestLinkAsync(app.CreateClient(), "stranger@example.com");
        var donor = await Portal.RequestLinkAsync(app.CreateClient(), "donor@example.com");

        Assert.Equal(donor.StatusCode, stranger.StatusCode);
        Assert.Equal(await donor.Content.ReadAsStringAsync(), await stranger.Content.ReadAsStringAsync());
        Assert.Contains(RequestSignInLink.SentMessage, await stranger.Content.ReadAsStringAsync());
        await app.Smtp!.WaitForMessageAsync(m => m.To.Mailboxes.Any(a => a.Address == "donor@example.com"));
        await app.WaitForIdleJobsAsync();
        Assert.DoesNotContain(app.Smtp.Messages, m => m.To.Mailboxes.Any(a => a.Address == "stranger@example.com"));
        Assert.Equal(1, await app.WithDbAsync(db => db.DonorSignInTokens.CountAsync()));
    }

    [Fact]
    public async Task Link_works_until_thirty_minutes_and_is_refused_after()
    {
        await using var app = await StartAsync(testClock: true);
        var clock = app.Clock();
        var donor = await Portal.SeedDonorAsync(app, "late@example.com");
        await Portal.RequestLinkAsync(app.Client, "late@example.com");
        await Portal.RequestLinkAsync(app.Client, "late@example.com");
        await Wait.UntilAsync(() => Task.FromResult(app.Smtp!.Messages.Count == 2), what: "two sign-in emails");
        var paths = app.Smtp!.Messages.Select(Portal.LinkPath).ToList();

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.SeeOther, (await Portal.RedeemAsync(app.CreateClient(), paths[0])).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(2));
        var late = await Portal.RedeemAsync(app.CreateClient(), paths[1]);
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
        Assert.Contains("""action="/manage">""", await late.Content.ReadAsStringAsync());
        Assert.Equal(1, await app.WithDbAsync(db => db.DonorSignInTokens.CountAsync(t => t.DonorId == donor.Id && t.UsedAt == null)));
    }

    [Fact]
    public async Task Session_ends_an_hour_after_sign_in()
    {
        await using var app = await StartAsync(testClock: true);
        var donor = await Portal.SeedDonorAsync(app, "hour@example.com");
        await Portal.SignInAsync(app, app.Client, donor.Id);

        app.Clock().Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/manage/account")).StatusCode);
        app.Clock().Advance(TimeSpan.FromMinutes(2));
        var expired = await app.Client.GetAsync("/manage/account");
        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.Equal("/manage", expired.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Unknown_or_malformed_link_is_not_found()
    {
        await using var app = await StartAsync();

        var unknown = await app.Client.GetAsync($"/manage/{SignInTokens.NewToken()}");
        var malformed = await app.Client.GetAsync("/manage/not-a-token");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);
        Assert.Contains("Email me a sign-in link", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Simultaneous_clicks_on_one_link_sign_in_exactly_once()
    {
        await using var app = await StartAsync();
        var donor = await Portal.SeedDonorAsync(app, "twice@example.com");
        var path = await Portal.SeedLinkAsync(app, donor.Id);

        var browsers = Enumerable.Range(0, 8).Select(_ => app.CreateClient()).ToList();
        var tokens = await Task.WhenAll(browsers.Select(b => Portal.FormTokenAsync(b, path)));

        var answers = await Task.WhenAll(browsers.Select((b, i) => Portal.PostFormAsync(b, path, tokens[i])));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.SeeOther);
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.Gone));
    }

    [Fact]
    public async Task Link_preview_bots_do_not_spend_the_link()
    {
        await using var app = await StartAsync();
        var donor = await Portal.SeedDonorAsync(app, "chat@example.com");
        var path = await Portal.SeedLinkAsync(app, donor.Id);
        var bot = app.CreateClient();
        bot.DefaultRequestHeaders.UserAgent.ParseAdd("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)");

        var preview = await bot.GetAsync(path);
        var click = await Portal.RedeemAsync(app.Client, path);

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.DoesNotContain(preview.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], c => c.StartsWith(".Donations.Donor="));
        Assert.Equal(HttpStatusCode.SeeOther, click.StatusCode);
    }

    [Fact]
    public async Task Asking_for_links_for_one_address_too_often_answers_429()
    {
        await using var app = await StartAsync();
        var token = await Portal.FormTokenAsync(app.Client, "/manage");

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i <= PortalRateLimits.RequestsPerEmail; i++)
            answers.Add((await Portal.PostFormAsync(app.Client, "/manage", token, ("email", "flood@example.com"))).StatusCode);
        var other = await Portal.PostFormAsync(app.Client, "/manage", token, ("email", "someone.else@example.com"));

        Assert.All(answers.Take(PortalRateLimits.RequestsPerEmail), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Asking_for_links_from_one_client_address_too_often_answers_429()
    {
        await using var app = await StartAsync();
        var token = await Portal.FormTokenAsync(app.Client, "/manage");

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i <= PortalRateLimits.RequestsPerAddress; i++)
            answers.Add(await Portal.PostFormAsync(app.Client, "/manage", token, ("email", $"reader{i}@example.com")));

        Assert.All(answers.Take(PortalRateLimits.RequestsPerAddress), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1].StatusCode);
        Assert.NotNull(answers[^1].Headers.RetryAfter);
    }

    [Fact]
    public async Task Form_post_without_its_antiforgery_token_is_refused()
    {
        await using var app = await StartAsync();
        await Portal.SeedDonorAsync(app, "forged@example.com");

        var forged = await app.Client.PostAsync("/manage", new FormUrlEncodedContent([new("email", "forged@example.com")]));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        await app.WaitForIdleJobsAsync();
        Assert.Empty(app.Smtp!.Messages);
    }

    [Fact]
    public async Task A_link_fetched_twice_by_a_mail_scanner_still_signs_the_donor_in_on_the_post()
    {
        await using var app = await StartAsync();
        var donor = await Portal.SeedDonorAsync(app, "scanned@example.com");
        var path = await Portal.SeedLinkAsync(app, donor.Id);
        var scanner = app.CreateClient(); // announces nothing: looks like a browser

        var firstScan = await scanner.GetAsync(path);
        var secondScan = await scanner.GetAsync(path);
        var donorClicks = await Portal.RedeemAsync(app.Client, path);

        Assert.Equal(HttpStatusCode.OK, firstScan.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondScan.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, donorClicks.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/manage/account")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await scanner.GetAsync("/manage/account")).StatusCode);
    }

    [Fact]
    public async Task A_sign_in_post_without_the_pages_antiforgery_token_spends_nothing()
    {
        await using var app = await StartAsync();
        var donor = await Portal.SeedDonorAsync(app, "csrf@example.com");
        var path = await Portal.SeedLinkAsync(app, donor.Id);

        // Another site posting the link for a visitor (login CSRF) has no token for the visitor's browser.
        var forged = await app.CreateClient().PostAsync(path, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.DonorSignInTokens.CountAsync(t => t.UsedAt != null)));
        Assert.Equal(HttpStatusCode.SeeOther, (await Portal.RedeemAsync(app.Client, path)).StatusCode);
    }
}
