using Donations.Api.Features.Statements;
using Donations.Api.Infrastructure;
using Donations.Data;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Statements;

/// <summary>Runs are idempotent per (donor, year): re-runs send nothing new unless asked to resend.</summary>
public sealed class StatementRunTests
{
    private static readonly DateTime June = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static async Task<DonationsApp> StartWithDonorsAsync(int donors)
    {
        var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.Settings["Statements:BatchSize"] = "2";
        });
        for (var i = 1; i <= donors; i++)
            await app.GiftAsync(await app.DonorAsync($"Reader {i}", $"reader{i}@example.com"), June, 1000 * i);
        return app;
    }

    [Fact]
    public async Task Running_the_same_year_again_sends_no_new_mail()
    {
        await using var app = await StartWithDonorsAsync(3);

        var first = await app.RunStatementsAsync(2025);
        var second = await app.RunStatementsAsync(2025);

        Assert.Equal((3, 3, 0, 0), (first.DonorsTotal, first.Sent, first.Skipped, first.Failed));
        Assert.Equal((3, 0, 3, 0), (second.DonorsTotal, second.Sent, second.Skipped, second.Failed));
        var mail = app.Statements();
        Assert.Equal(3, mail.Count);
        Assert.Equal(3, mail.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        var recorded = await app.WithDbAsync(db => db.Statements.Where(s => s.Status == StatementStatus.Sent).Select(s => s.MessageId).ToListAsync());
        Assert.Equal(recorded.Order(), mail.Select(m => m.MessageId).Order());
    }

    [Fact]
    public async Task Resend_sends_every_statement_again_as_a_new_message()
    {
        await using var app = await StartWithDonorsAsync(3);
        await app.RunStatementsAsync(2025);

        var resend = await app.RunStatementsAsync(2025, resend: true);

        Assert.Equal((3, 0, 0), (resend.Sent, resend.Skipped, resend.Failed));
        var mail = app.Statements();
        Assert.Equal(6, mail.Count);
        Assert.Equal(6, mail.Select(m => m.MessageId).Distinct().Count());
        Assert.All(mail.GroupBy(m => m.To.Mailboxes.Single().Address), g => Assert.Equal(2, g.Count()));
    }

    [Fact]
    public async Task Overlapping_runs_for_one_year_send_each_donor_one_statement()
    {
        await using var app = await StartWithDonorsAsync(8);

        long[] runIds;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var start = scope.ServiceProvider.GetRequiredService<StartStatementRun>();
            runIds = [
                (await start.StartAsync(new(2025, false, "tests"), CancellationToken.None)).Id,
                (await start.StartAsync(new(2025, false, "tests"), CancellationToken.None)).Id,
            ];
        }
        // A donor held by the other run is deferred until its lease runs out (2 minutes): wait on the sends, not the runs.
        await Wait.UntilAsync(async () => await app.WithDbAsync(db => db.Statements.CountAsync(s => s.Status == StatementStatus.Sent)) == 8,
            TimeSpan.FromSeconds(30), "every donor's statement to be sent");
        await app.WithDbAsync(async db =>
        {
            var runs = await db.StatementRuns.Where(r => runIds.Contains(r.Id)).ToListAsync();
            Assert.Equal(8, runs.Sum(r => r.Sent));
        });
        Assert.Equal(8, app.Statements().Count);
        Assert.Equal(8, app.Statements().Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
    }

    [Fact]
    public async Task A_statement_left_unmarked_by_a_crash_goes_out_again_with_the_same_Message_Id()
    {
        await using var app = await StartWithDonorsAsync(1);
        var first = await app.RunStatementsAsync(2025);
        var sent = Assert.Single(app.Statements());
        // As if the sender died after the server accepted the message and before marking it: still
        // pending for a new run, its lease run out.
        await app.WithDbAsync(db => db.Statements.ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, StatementStatus.Pending)
            .SetProperty(x => x.ClaimedUntil, DateTime.UtcNow.AddMinutes(-1))));

        var again = await app.RunStatementsAsync(2025);

        Assert.Equal(1, again.Sent);
        Assert.Equal(2, app.Statements().Count);
        Assert.All(app.Statements(), m => Assert.Equal(sent.MessageId, m.MessageId));
        Assert.Equal(1, first.Sent);
    }

    [Fact]
    public async Task A_connection_lost_mid_batch_gives_back_what_it_did_not_send_and_the_retry_sends_each_statement_once()
    {
        // One batch of 60: chunks of 25, each sent while the next is read, rendered and stored.
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.Settings["Statements:BatchSize"] = "60";
        });
        // Reader 55, in the third chunk, had every gift refunded: nothing to send, only to mark.
        for (var i = 1; i <= 60; i++)
            await app.GiftAsync(await app.DonorAsync($"Reader {i}", $"reader{i}@example.com"), June, 1000 + i, refunded: i == 55 ? 1000 + i : 0);
        // The server puts off the second chunk's 15th message: the connection is in doubt and the
        // batch fails there, with the third chunk already claimed and stored behind it.
        app.Smtp!.Defer("reader40@example.com");

        // Hangfire retries the batch after 10 s; what it had not sent was given back (and reader
        // 55 marked), not left to its 2-minute lease, so the retry sends the rest at once.
        var run = await app.RunStatementsAsync(2025, timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, app.Smtp.Deferred);
        Assert.Equal((60, 59, 1, 0), (run.DonorsTotal, run.Sent, run.Skipped, run.Failed));
        var mail = app.Statements();
        Assert.Equal(59, mail.Count);
        Assert.Equal(59, mail.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        var rows = await app.WithDbAsync(db => db.Statements.AsNoTracking().Where(s => s.Year == 2025)
            .Join(db.Donors, s => s.DonorId, d => d.Id, (s, d) => new { s.Status, s.Attempts, s.MessageId, d.Email }).ToListAsync());
        Assert.Equal(StatementStatus.Empty, rows.Single(r => r.Email == "reader55@example.com").Status);
        var sent = rows.Where(r => r.Email != "reader55@example.com").ToList();
        Assert.All(sent, r => Assert.Equal(StatementStatus.Sent, r.Status));
        Assert.Equal(sent.Select(r => r.MessageId).Order(), mail.Select(m => m.MessageId).Order());
        // Sent in the first attempt, or marked when it failed: claimed once. Given back and sent by
        // the retry: claimed twice.
        var retried = rows.Where(r => r.Attempts == 2).Select(r => r.Email).Order().ToList();
        Assert.Equal(Enumerable.Range(40, 21).Where(i => i != 55).Select(i => $"reader{i}@example.com").Order(), retried);
        Assert.All(rows.Where(r => r.Attempts != 2), r => Assert.Equal(1, r.Attempts));
    }

    [Fact]
    public async Task A_chunk_renewed_before_it_goes_out_keeps_only_the_statements_its_sender_still_holds()
    {
        await using var app = await StartWithDonorsAsync(3);
        var donorIds = await app.WithDbAsync(db => db.Donors.OrderBy(d => d.Id).Select(d => d.Id).ToArrayAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var claims = scope.ServiceProvider.GetRequiredService<StatementClaims>();
        var rows = await claims.LoadAsync(donorIds, 2025, CancellationToken.None);
        var claimed = await claims.ClaimAsync(runId: 1, resend: false, 2025, rows, CancellationToken.None);
        Assert.Equal(3, claimed.Count);
        // The chunk waited: its lease ran out, and another sender took the second statement.
        var lapsed = DateTime.UtcNow.AddSeconds(-1);
        var taken = claimed[1].Row.Id;
        await app.WithDbAsync(db => db.Statements.ExecuteUpdateAsync(s => s.SetProperty(x => x.ClaimedUntil, lapsed)));
        await app.WithDbAsync(db => db.Statements.Where(s => s.Id == taken)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Attempts, x => x.Attempts + 1).SetProperty(x => x.ClaimedUntil, DateTime.UtcNow.AddMinutes(2))));

        var held = await claims.RenewAsync(claimed, CancellationToken.None);

        Assert.Equal(claimed.Where(c => c.Row.Id != taken).Select(c => c.Row.Id), held.Select(c => c.Row.Id));
        var leases = await app.WithDbAsync(db => db.Statements.ToDictionaryAsync(s => s.Id, s => s.ClaimedUntil!.Value));
        Assert.All(held, c => Assert.True(leases[c.Row.Id] > DateTime.UtcNow.AddMinutes(1), "a held statement's lease starts again"));
        Assert.Equal(2, await app.WithDbAsync(db => db.Statements.Where(s => s.Id == taken).Select(s => s.Attempts).SingleAsync()));
    }

    [Fact]
    public async Task A_refused_address_is_recorded_as_failed_and_the_run_still_completes()
    {
        await using var app = await StartWithDonorsAsync(3);
        app.Smtp!.Reject("reader2@example.com");

        var run = await app.RunStatementsAsync(2025);

        Assert.Equal((3, 2, 0, 1), (run.DonorsTotal, run.Sent, run.Skipped, run.Failed));
        var failed = await app.WithDbAsync(db => db.Statements.SingleAsync(s => s.Status == StatementStatus.Failed));
        Assert.Equal("reader2@example.com", await app.WithDbAsync(db => db.Donors.Where(d => d.Id == failed.DonorId).Select(d => d.Email).SingleAsync()));
        Assert.Contains("550", failed.LastError);
        // A later run tries the failed statement again, and only that one.
        var again = await app.RunStatementsAsync(2025);
        Assert.Equal((0, 2, 1), (again.Sent, again.Skipped, again.Failed));
    }

    [Fact]
    public async Task Command_line_runs_the_year_to_completion_even_with_no_service_running()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = DatabaseProvider.Postgres;
            o.UseSmtp = true;
            o.HangfireServer = false;
        });
        for (var i = 1; i <= 2; i++)
            await app.GiftAsync(await app.DonorAsync($"Reader {i}", $"reader{i}@example.com"), June, 1000 * i);
        var command = app.Services.GetServices<ICliCommand>().Single(c => c.Name == "statements");

        Assert.Equal(2, await command.RunAsync(app.Services, ["send"], CancellationToken.None));
        Assert.Equal(0, await command.RunAsync(app.Services, ["send", "--year", "2025"], CancellationToken.None));

        var run = await app.WithDbAsync(db => db.StatementRuns.SingleAsync());
        Assert.Equal((2025, StatementRunStatus.Completed, 2, 2), (run.Year, run.Status, run.DonorsTotal, run.Sent));
        Assert.Equal("command line", run.RequestedBy);
        Assert.Equal(2, app.Statements().Count);
    }

    [Fact]
    public async Task Year_end_run_is_scheduled_on_the_configured_cron_in_the_configured_time_zone()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.HangfireServer = false;
            o.Settings["Statements:Cron"] = "30 8 15 1 *";
            o.Settings["Statements:TimeZone"] = "Europe/Berlin";
        });

        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var job = connection.GetRecurringJobs().Single(j => j.Id == "year-end-statements");
        Assert.Equal("30 8 15 1 *", job.Cron);
        Assert.Equal("Europe/Berlin", job.TimeZoneId);
        Assert.Equal(typeof(StartStatementRun), job.Job.Type);
    }

    [Fact]
    public async Task Year_end_run_defaults_to_10_January_at_9_in_the_organisations_time_zone()
    {
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.HangfireServer = false;
            o.Settings["Organization:TimeZone"] = "America/Chicago";
        });

        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var job = connection.GetRecurringJobs().Single(j => j.Id == "year-end-statements");
        Assert.Equal("0 9 10 1 *", job.Cron);
        Assert.Equal("America/Chicago", job.TimeZoneId);
    }

    [Theory]
    [InlineData("2026-01-10T14:00:00Z", 2025)]
    [InlineData("2026-01-01T04:30:00Z", 2024)] // 23:30 on 31 December 2025 in New York
    [InlineData("2026-01-01T05:30:00Z", 2025)]
    public void Scheduled_run_covers_the_tax_year_before_today_in_the_organisations_time_zone(string now, int expected)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.Equal(expected, StatementYear.PreviousTo(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), zone));
    }
}
