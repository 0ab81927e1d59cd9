using System.Globalization;
using Donations.Api.Infrastructure;

namespace Donations.Api.Features.Statements;

/// <summary><c>statements send --year 2026 [--resend]</c>: starts a run; the service's workers send it.</summary>
internal sealed class StatementsCommand : ICliCommand
{
    public string Name => "statements";
    public string Usage => "statements send --year <yyyy> [--resend]   start a year-end statement run";

    public async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        var yearAt = Array.IndexOf(args, "--year");
        if (args.Length == 0 || args[0] != "send" || yearAt < 0 || yearAt + 1 >= args.Length
            || !int.TryParse(args[yearAt + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            await Console.Error.WriteLineAsync($"Usage: {Usage}");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var start = scope.ServiceProvider.GetRequiredService<StartStatementRun>();
        if (!start.IsValidYear(year))
        {
            await Console.Error.WriteLineAsync($"{year}: {start.YearRule()}");
            return 2;
        }
        var run = await start.StartAsync(new StartStatementRun.Request(year, args.Contains("--resend"), "command line"), ct);
        Console.WriteLine($"Statement run {run.Id} for {year} started{(run.Resend ? " (resending to every donor)" : "")}. " +
                          $"Follow it at /api/finance/statements/runs/{run.Id} or in the Hangfire dashboard.");
        return 0;
    }
}
