using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Staff;

/// <summary>
/// <c>staff add|list|disable|enable|password</c>: staff accounts from the service's own executable.
/// Passwords come from DONATIONS_STAFF_PASSWORD, else the first line of standard input (or a
/// prompt without echo at a terminal), never from the command line where <c>ps</c> would show them.
/// Exit codes: 0 done, 1 refused (exists, unknown, weak password), 2 usage error.
/// </summary>
internal sealed class StaffCommand(TextReader input, TextWriter output, TextWriter error, Func<string?> passwordVariable) : ICliCommand
{
    public const string PasswordVariable = "DONATIONS_STAFF_PASSWORD";

    public static StaffCommand ForConsole() =>
        new(Console.In, Console.Out, Console.Error, () => Environment.GetEnvironmentVariable(PasswordVariable));

    public string Name => "staff";
    public string Usage => """
        staff add <email> --role Finance|Admin    create a staff account (password from DONATIONS_STAFF_PASSWORD or standard input)
          staff list                                list staff accounts
          staff disable <email> | enable <email>    stop or restore an account's access (enable also lifts a lockout)
          staff password <email>                    set a new password (read like 'add')
        """;

    public async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        args = WithoutHostSwitches(args);
        if (args.Length == 0) return await UsageErrorAsync("Missing staff subcommand.");
        if (services.GetRequiredService<DatabaseSettings>().MigrateOnStart)
            await DatabaseMigrator.MigrateAsync(services, ct);

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DonationsDbContext>();
        var passwords = scope.ServiceProvider.GetRequiredService<StaffPasswords>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        return (args[0], args.Length) switch
        {
            ("add", >= 2) => await AddAsync(db, passwords, args[1], args[2..], now, ct),
            ("list", 1) => await ListAsync(db, now, ct),
            ("disable", 2) => await SetDisabledAsync(db, args[1], true, ct),
            ("enable", 2) => await SetDisabledAsync(db, args[1], false, ct),
            ("password", 2) => await ChangePasswordAsync(db, passwords, args[1], ct),
            _ => await UsageErrorAsync($"Unknown or incomplete staff command: {string.Join(' ', args)}"),
        };
    }

    private async Task<int> AddAsync(DonationsDbContext db, StaffPasswords passwords, string rawEmail, string[] options, DateTime now, CancellationToken ct)
    {
        if (!TryReadRole(options, out var role)) return await UsageErrorAsync("--role must be Finance or Admin.");
        if (!TryNormalizeEmail(rawEmail, out var email)) return await FailAsync($"'{rawEmail}' is not an email address.");
        if (await db.StaffUsers.AnyAsync(u => u.Email == email, ct))
            return await FailAsync($"A staff account for {email} already exists. Use 'staff password {email}' to change its password.");
        var (password, problem) = await ReadNewPasswordAsync();
        if (password is null) return await FailAsync(problem!);

        var user = new StaffUser { Email = email, PasswordHash = "", Role = role, CreatedAt = now };
        user.PasswordHash = passwords.Hash(user, password);
        db.StaffUsers.Add(user);
        await db.SaveChangesAsync(ct);
        await output.WriteLineAsync($"Created {role} account {email} (id {user.Id}).");
        return 0;
    }

    private async Task<int> ListAsync(DonationsDbContext db, DateTime now, CancellationToken ct)
    {
        var users = await db.StaffUsers.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
        if (users.Count == 0)
        {
            await output.WriteLineAsync("No staff accounts. Create one with: staff add <email> --role Admin");
            return 0;
        }
        await output.WriteLineAsync($"{"EMAIL",-40} {"ROLE",-8} {"STATE",-28} LAST SIGN-IN");
        foreach (var u in users)
        {
            var state = u.Disabled ? "disabled"
                : u.LockedUntil is { } until && until > now ? $"locked until {CsvValues.Timestamp(until)}" : "active";
            await output.WriteLineAsync($"{u.Email,-40} {u.Role,-8} {state,-28} {(u.LastSignInAt is { } s ? CsvValues.Timestamp(s) : "never")}");
        }
        return 0;
    }

    private async Task<int> SetDisabledAsync(DonationsDbContext db, string rawEmail, bool disabled, CancellationToken ct)
    {
        var email = Donor.NormalizeEmail(rawEmail);
        var changed = await db.StaffUsers.Where(u => u.Email == email).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.Disabled, disabled)
            .SetProperty(u => u.FailedSignIns, 0)
            .SetProperty(u => u.LockedUntil, (DateTime?)null), ct);
        if (changed == 0) return await FailAsync($"No staff account for {email}.");
        await output.WriteLineAsync(disabled
            ? $"Disabled {email}; their open sessions end with their next request."
            : $"Enabled {email}.");
        return 0;
    }

    private async Task<int> ChangePasswordAsync(DonationsDbContext db, StaffPasswords passwords, string rawEmail, CancellationToken ct)
    {
        var email = Donor.NormalizeEmail(rawEmail);
        var user = await db.StaffUsers.SingleOrDefaultAsync(u => u.Email == email, ct);
        if (user is null) return await FailAsync($"No staff account for {email}.");
        var (password, problem) = await ReadNewPasswordAsync();
        if (password is null) return await FailAsync(problem!);
        user.PasswordHash = passwords.Hash(user, password);
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        await db.SaveChangesAsync(ct);
        await output.WriteLineAsync($"Password changed for {email}; their open sessions end with their next request.");
        return 0;
    }

    private async Task<(string? Password, string? Problem)> ReadNewPasswordAsync()
    {
        var password = await ReadPasswordAsync();
        if (password is null) return (null, $"No password given: set {PasswordVariable} or pipe it to standard input.");
        return StaffPasswords.Problem(password) is { } problem ? (null, problem) : (password, null);
    }

    private async Task<string?> ReadPasswordAsync()
    {
        if (passwordVariable() is { Length: > 0 } fromEnvironment) return fromEnvironment;
        if (ReferenceEquals(input, Console.In) && !Console.IsInputRedirected) return PromptWithoutEcho();
        var line = await input.ReadLineAsync();
        return string.IsNullOrEmpty(line) ? null : line;
    }

    private string? PromptWithoutEcho()
    {
        error.Write("Password: ");
        var chars = new List<char>();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (chars.Count > 0) chars.RemoveAt(chars.Count - 1); }
            else if (!char.IsControl(key.KeyChar)) chars.Add(key.KeyChar);
        }
        error.WriteLine();
        return chars.Count == 0 ? null : new string([.. chars]);
    }

    private static bool TryReadRole(string[] options, out string role)
    {
        role = "";
        string? value = null;
        for (var i = 0; i < options.Length; i++)
        {
            if (options[i] == "--role" && i + 1 < options.Length) value = options[++i];
            else if (options[i].StartsWith("--role=", StringComparison.Ordinal)) value = options[i]["--role=".Length..];
            else return false;
        }
        role = StaffRoles.All.FirstOrDefault(r => string.Equals(r, value, StringComparison.OrdinalIgnoreCase)) ?? "";
        return role.Length > 0;
    }

    /// <summary>
    /// The host reads switches such as <c>--urls</c>, <c>--environment</c> or <c>--Section:Key value</c>
    /// from the same command line; they are not ours to reject.
    /// </summary>
    private static string[] WithoutHostSwitches(string[] args)
    {
        var kept = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].StartsWith("--role", StringComparison.Ordinal))
                kept.Add(args[i]);
            else if (!args[i].Contains('=') && i + 1 < args.Length)
                i++;
        }
        return [.. kept];
    }

    private static bool TryNormalizeEmail(string raw, out string email)
    {
        email = Donor.NormalizeEmail(raw);
        return MimeKit.MailboxAddress.TryParse(email, out var mailbox) && mailbox.Address == email && email.Contains('@');
    }

    private async Task<int> FailAsync(string message)
    {
        await error.WriteLineAsync(message);
        return 1;
    }

    private async Task<int> UsageErrorAsync(string message)
    {
        await error.WriteLineAsync(message);
        await error.WriteLineAsync("Usage:");
        await error.WriteLineAsync("  " + Usage);
        return 2;
    }
}
