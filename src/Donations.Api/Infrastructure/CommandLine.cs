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
    /// <summary>
    /// The arguments with a content root where the service's settings are. Given none, the host
    /// takes the current directory, so <c>dotnet /opt/donations/Donations.Api.dll staff add …</c>
    /// run from a home folder would read no appsettings.json and, on SQLite with a relative path,
    /// create an empty database there. When the current directory holds no appsettings.json, the
    /// folder of the executable is used instead; <c>dotnet run</c> (current directory = the
    /// project) and an explicit <c>--contentRoot</c> are left as they are.
    /// </summary>
    public static string[] WithContentRoot(string[] args)
    {
        var given = args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        if (given || File.Exists(Path.Combine(Environment.CurrentDirectory, "appsettings.json"))) return args;
        // In front, as one token: after a trailing flag such as --resend it would be read as its value.
        return [$"--contentRoot={AppContext.BaseDirectory}", .. args];
    }

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
