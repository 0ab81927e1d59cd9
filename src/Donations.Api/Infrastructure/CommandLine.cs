using Donations.Api.Infrastructure.Data;

namespace Donations.Api.Infrastructure;

/// <summary>A command of the service's executable: <c>dotnet run --project src/Donations.Api -- &lt;name&gt; ...</c>.</summary>
public interface ICliCommand
{
    string Name { get; }
    string Usage { get; }
    Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct);
}

public static class CommandLine
{
    /// <summary>No command: migrate when configured to, then serve. Otherwise run the command and exit.</summary>
    public static async Task<int> RunDonationsAsync(this WebApplication app, string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            if (app.Services.GetRequiredService<DatabaseSettings>().MigrateOnStart)
                await DatabaseMigrator.MigrateAsync(app.Services);
            await app.RunAsync();
            return 0;
        }

        var commands = app.Services.GetServices<ICliCommand>().ToList();
        var command = commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            await Console.Error.WriteLineAsync($"Unknown command '{args[0]}'. Commands:");
            foreach (var c in commands) await Console.Error.WriteLineAsync($"  {c.Usage}");
            return 2;
        }
        return await command.RunAsync(app.Services, args[1..], CancellationToken.None);
    }
}

internal sealed class MigrateCommand : ICliCommand
{
    public string Name => "migrate";
    public string Usage => "migrate                      apply database migrations and exit";

    public async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        await DatabaseMigrator.MigrateAsync(services, ct);
        Console.WriteLine("Database is up to date.");
        return 0;
    }
}
