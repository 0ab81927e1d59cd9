using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Api.Infrastructure.Observability;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Statements;

/// <summary>
/// Starts a year-end statement run: records it, then hands the paging to a job so the caller
/// (staff request, command line, schedule) answers at once whatever the number of donors.
/// Several runs for one year may overlap: each donor's statement is claimed before it is sent.
/// </summary>
public sealed class StartStatementRun(
    DonationsDbContext db,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    IOptions<OrganizationOptions> organization,
    DonationsMetrics metrics)
{
    public sealed record Request(int Year, bool Resend, string? RequestedBy);

    public async Task<StatementRun> StartAsync(Request request, CancellationToken ct)
    {
        if (!IsValidYear(request.Year))
            throw new ArgumentOutOfRangeException(nameof(request), request.Year, YearRule());
        var run = new StatementRun
        {
            Year = request.Year,
            Resend = request.Resend,
            Status = StatementRunStatus.Running,
            RequestedBy = request.RequestedBy,
            StartedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.StatementRuns.Add(run);
        await db.SaveChangesAsync(ct);
        jobs.Enqueue<PlanStatementRun>(JobQueues.Default, job => job.RunAsync(run.Id, CancellationToken.None));
        metrics.StatementRunStarted();
        return run;
    }

    /// <summary>The scheduled run: the tax year that ended before today, in the organisation's time zone.</summary>
    [AutomaticRetry(Attempts = 3)]
    public Task StartForPreviousYearAsync(CancellationToken ct) =>
        StartAsync(new Request(StatementYear.PreviousTo(clock.GetUtcNow(), organization.Value.GetTimeZone()), Resend: false, "schedule"), ct);

    /// <summary>A year that has begun, from <see cref="StatementYear.Earliest"/> on.</summary>
    public bool IsValidYear(int year) =>
        year >= StatementYear.Earliest && year <= TimeZoneInfo.ConvertTime(clock.GetUtcNow(), organization.Value.GetTimeZone()).Year;

    public string YearRule() => $"The year must be between {StatementYear.Earliest} and the current year.";
}
