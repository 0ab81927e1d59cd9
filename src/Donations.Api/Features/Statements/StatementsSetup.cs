using Donations.Api.Features.DonorPortal;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Documents;
using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Statements;

public static class StatementsSetup
{
    public static WebApplicationBuilder AddStatements(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDocuments();
        services.AddScoped<StatementDocuments>();
        services.AddScoped<StatementRunProgress>();
        services.AddScoped<StatementClaims>();
        services.AddScoped<StartStatementRun>();
        services.AddScoped<PlanStatementRun>();
        services.AddScoped<SendStatementBatch>();
        services.AddScoped<StatementIssues>();
        services.AddScoped<StatementPdf>();
        services.AddScoped<CorrectStatement>();
        services.AddAfterCommit<ScheduleStatementCorrections>();
        services.AddSingleton<IRecurringJobDefinition, YearEndStatementsSchedule>();
        services.AddSingleton<IRecurringJobDefinition, StatementCorrectionsSweep>();
        services.AddSingleton<ICliCommand, StatementsCommand>();
        return builder;
    }

    public static WebApplication MapStatements(this WebApplication app)
    {
        var group = app.MapGroup("/api/finance/statements");
        group.MapPost("/{year:int}", StatementsApi.StartAsync).RequireAuthorization(StaffPolicies.Admin);
        group.MapGet("/runs", StatementsApi.ListRunsAsync).RequireAuthorization(StaffPolicies.Finance);
        group.MapGet("/runs/{id:long}", StatementsApi.GetRunAsync).RequireAuthorization(StaffPolicies.Finance);
        // Beside the portal's receipts, which list the years a statement was sent and link here.
        app.MapGet("/manage/statements/{year:int}.pdf", DownloadStatement.Handle)
            .RequireAuthorization(DonorAuthentication.Policy).ExcludeFromDescription();
        return app;
    }
}

/// <summary>
/// The yearly run for the tax year just ended, on <c>Statements:Cron</c> (default 10 January
/// 09:00) in <c>Statements:TimeZone</c>, or else the organisation's time zone.
/// </summary>
internal sealed class YearEndStatementsSchedule(IOptions<StatementsOptions> statements, IOptions<OrganizationOptions> organization)
    : IRecurringJobDefinition
{
    public const string JobId = "year-end-statements";

    public void Register(IRecurringJobManager jobs)
    {
        var zone = string.IsNullOrWhiteSpace(statements.Value.TimeZone)
            ? organization.Value.GetTimeZone()
            : TimeZoneInfo.FindSystemTimeZoneById(statements.Value.TimeZone);
        jobs.AddOrUpdate<StartStatementRun>(JobId, JobQueues.Default, job => job.StartForPreviousYearAsync(CancellationToken.None),
            statements.Value.Cron, new RecurringJobOptions { TimeZone = zone });
    }
}

/// <summary>Hourly, the sweep that finds statements to correct whose after-commit request was lost.</summary>
internal sealed class StatementCorrectionsSweep : IRecurringJobDefinition
{
    public void Register(IRecurringJobManager jobs) =>
        jobs.AddOrUpdate<ScheduleStatementCorrections>(ScheduleStatementCorrections.RecurringJobId, JobQueues.Default,
            job => job.SweepAsync(), Cron.Hourly());
}
