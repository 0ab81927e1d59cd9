using System.Globalization;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Statements;

/// <summary>
/// <c>statements send --year 2026 [--resend] [--no-wait]</c>: starts a run and, unless told not to,
/// works on it in this process too (a Hangfire server of its own, next to any the service runs)
/// until every donor has an outcome, so the command also works when no service is running.
/// </summary>
internal sealed class StatementsCommand : ICliCommand
{
    public string Name => "statements";
    public string Usage => "statements send --year <yyyy> [--resend] [--no-wait]   run year-end statements";

    public async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        var yearAt = Array.IndexOf(args, "--year");
        if (args.Length == 0 || args[0] != "send" || yearAt < 0 || yearAt + 1 >= args.Length
            || !int.TryParse(args[yearAt + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            await Console.Error.WriteLineAsync($"Usage: {Usage}");
            return 2;
        }

        StatementRun run;
        await using (var scope = services.CreateAsyncScope())
        {
            var start = scope.ServiceProvider.GetRequiredService<StartStatementRun>();
            if (!start.IsValidYear(year))
            {
                await Console.Error.WriteLineAsync($"{year}: {start.YearRule()}");
                return 2;
            }
            run = await start.StartAsync(new StartStatementRun.Request(year, args.Contains("--resend"), "command line"), ct);
        }
        Console.WriteLine($"Statement run {run.Id} for {year} started{(run.Resend ? " (resending to every donor)" : "")}.");
        if (args.Contains("--no-wait"))
        {
            Console.WriteLine($"Follow it at /api/finance/statements/runs/{run.Id} or in the Hangfire dashboard.");
            return 0;
        }

        run = await WorkUntilCompletedAsync(services, run.Id, ct);
        Console.WriteLine($"Statement run {run.Id} completed: {run.DonorsTotal} donors, {run.Sent} sent, {run.Skipped} skipped, {run.Failed} failed.");
        return run.Failed == 0 ? 0 : 1;
    }

    private static async Task<StatementRun> WorkUntilCompletedAsync(IServiceProvider services, long runId, CancellationToken ct)
    {
        _ = services.GetRequiredService<IGlobalConfiguration>(); // this host's log provider for Hangfire
        var hangfire = services.GetRequiredService<IOptions<HangfireOptions>>().Value;
        using var server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                WorkerCount = Math.Min(hangfire.WorkerCount, Environment.ProcessorCount * 2),
                Queues = JobQueues.All,
                SchedulePollingInterval = hangfire.PollingInterval,
                Activator = services.GetRequiredService<JobActivator>(),
            },
            services.GetRequiredService<JobStorage>());

        var lastReport = "";
        while (true)
        {
            await using (var scope = services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
                var run = await db.StatementRuns.AsNoTracking().SingleAsync(r => r.Id == runId, ct);
                if (run.Status == StatementRunStatus.Completed) return run;
                var report = $"  {run.Sent + run.Skipped + run.Failed} of {run.DonorsTotal} donors done";
                if (report != lastReport) Console.WriteLine(lastReport = report);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }
}
