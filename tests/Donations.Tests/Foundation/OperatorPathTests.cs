using System.Diagnostics;
using System.Net;
using Donations.Tests.Infrastructure;

namespace Donations.Tests.Foundation;

/// <summary>
/// The deployment as the README and <c>deploy/</c> describe it: the service published, configured
/// with nothing but <c>deploy/donations.env.example</c> (its placeholders filled in as an operator
/// would) and the unit's own settings, migrated and given a staff account with the commands as
/// the README writes them, typed from a folder that is not the service's.
/// </summary>
public sealed class OperatorPathTests(OperatorPathTests.Published published) : IClassFixture<OperatorPathTests.Published>
{
    private const string Admin = "admin@example.org";

    [Fact]
    public async Task The_published_service_set_up_from_deploy_on_PostgreSQL_migrates_takes_a_staff_account_and_is_ready()
    {
        var pg = await PostgresServer.SharedAsync();
        var connectionString = await pg.CreateDatabaseAsync();
        await RunOperatorPathAsync(state => Fill(published.EnvironmentFile(), state, new()
        {
            ["ConnectionStrings__Donations"] = connectionString,
        }));
    }

    [Fact]
    public async Task The_published_service_set_up_from_deploy_on_SQLite_migrates_takes_a_staff_account_and_is_ready()
    {
        // The example's commented SQLite lines, uncommented.
        await RunOperatorPathAsync(state => Fill(published.EnvironmentFile(), state, published.CommentedSqliteLines()));
    }

    private async Task RunOperatorPathAsync(Func<string, Dictionary<string, string?>> environmentFor)
    {
        var root = Directory.CreateTempSubdirectory("donations-operator-").FullName;
        try
        {
            // README: "install -d -o donations … /var/lib/donations", before the commands (the unit's
            // StateDirectory= would make it only at its first start).
            var state = Directory.CreateDirectory(Path.Combine(root, "var-lib-donations")).FullName;
            var home = Directory.CreateDirectory(Path.Combine(root, "home-operator")).FullName;     // where the operator types
            var environment = environmentFor(state);
            foreach (var (key, value) in published.UnitEnvironment()) environment.TryAdd(key, value);
            // The one change: a free loopback port instead of the unit's 5080 (the harness picks it).
            Assert.StartsWith("http://127.0.0.1:", environment["ASPNETCORE_URLS"]);
            environment.Remove("ASPNETCORE_URLS");

            // README, Deployment: "dotnet Donations.Api.dll migrate" with the service's environment.
            var migrate = await ServiceProcess.RunAsync(Command(home, environment, "migrate"));
            Assert.True(migrate.Exit == 0, migrate.Output);

            // README, Staff accounts: "dotnet /opt/donations/Donations.Api.dll staff add …", password on stdin.
            var staff = await ServiceProcess.RunAsync(Command(home, environment, "staff", "add", Admin, "--role", "Admin") with
            {
                StandardInput = Staff.StaffTestSupport.Password + "\n",
            });
            Assert.True(staff.Exit == 0, staff.Output);
            Assert.Empty(Directory.EnumerateFileSystemEntries(home)); // no settings-less database of its own here

            // The unit: its ExecStart, WorkingDirectory and Environment=, then the environment file.
            await using var service = await ServiceProcess.StartAsync(new ServiceProcess.Launch(environment, state)
            {
                ServiceDirectory = published.Directory,
                Args = published.UnitArguments(),
                PassContentRoot = false,
                OnlyGivenEnvironment = true,
                Environment = null,
            });
            using var http = service.CreateClient();
            var ready = await http.GetAsync("/health/ready");
            var staffList = await ServiceProcess.RunAsync(Command(home, environment, "staff", "list"));

            Assert.True(ready.StatusCode == HttpStatusCode.OK, service.Output);
            Assert.True(staffList.Exit == 0, staffList.Output);
            Assert.Matches(@"admin@example\.org\s+Admin\s+active", staffList.Output);
            Assert.Empty(Directory.EnumerateFileSystemEntries(home));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private ServiceProcess.Launch Command(string home, Dictionary<string, string?> environment, params string[] args) =>
        new(environment, home)
        {
            ServiceDirectory = published.Directory,
            Args = args,
            PassContentRoot = false,
            OnlyGivenEnvironment = true,
            Environment = null,
        };

    /// <summary>
    /// The operator's edit of the example: the unit's /var/lib/donations is this test's state
    /// folder, and the given lines replace (or add to) the example's. Secrets marked change-me stay
    /// as they are: start-up checks that they are there, not that Stripe or the mail server accept them.
    /// </summary>
    private static Dictionary<string, string?> Fill(Dictionary<string, string> example, string state, Dictionary<string, string?> edits)
    {
        var filled = example.ToDictionary(e => e.Key, e => (string?)e.Value.Replace("/var/lib/donations", state));
        foreach (var (key, value) in edits) filled[key] = value?.Replace("/var/lib/donations", state);
        // The README's key-ring step: the operator makes a certificate with the example's password
        // and puts it where the example's path says (here, a file of this test's own).
        if (filled.ContainsKey("DataProtection__CertificatePath"))
            filled["DataProtection__CertificatePath"] = TestKeyRing.NewCertificateFile(filled.GetValueOrDefault("DataProtection__CertificatePassword"));
        return filled;
    }

    /// <summary>The service published once for the class, as the README's Deployment section does it.</summary>
    public sealed class Published : IAsyncLifetime
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("donations-published-").FullName;
        private static string Repository { get; } = FindRepository();

        public async Task InitializeAsync()
        {
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Repository,
            };
            foreach (var a in new[] { "publish", "src/Donations.Api", "-c", "Release", "-o", Directory, "-nologo", "-v", "quiet" })
                psi.ArgumentList.Add(a);
            using var publish = Process.Start(psi)!;
            var output = publish.StandardOutput.ReadToEndAsync();
            var error = publish.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
            await publish.WaitForExitAsync(timeout.Token);
            Assert.True(publish.ExitCode == 0, await output + await error);
        }

        public Task DisposeAsync()
        {
            System.IO.Directory.Delete(Directory, recursive: true);
            return Task.CompletedTask;
        }

        /// <summary>The example's variables, as systemd reads an EnvironmentFile.</summary>
        public Dictionary<string, string> EnvironmentFile() =>
            Lines("deploy/donations.env.example")
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.Split('=', 2))
                .ToDictionary(p => p[0], p => p[1]);

        /// <summary>The example's commented SQLite block, as an operator uncomments it.</summary>
        public Dictionary<string, string?> CommentedSqliteLines()
        {
            var lines = Lines("deploy/donations.env.example").ToList();
            var start = lines.FindIndex(l => l.Contains("SQLite", StringComparison.Ordinal) && l.StartsWith('#') && !l.Contains('='));
            return lines.Skip(start + 1).TakeWhile(l => l.StartsWith("#   ", StringComparison.Ordinal))
                .Select(l => l[1..].Trim().Split('=', 2))
                .ToDictionary(p => p[0], p => (string?)p[1]);
        }

        /// <summary>The unit's Environment= lines.</summary>
        public Dictionary<string, string> UnitEnvironment() =>
            Lines("deploy/donations.service")
                .Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
                .Select(l => l["Environment=".Length..].Split('=', 2))
                .ToDictionary(p => p[0], p => p[1]);

        /// <summary>The unit's ExecStart arguments after the dll, with /opt/donations where it was published.</summary>
        public string[] UnitArguments()
        {
            var exec = Lines("deploy/donations.service").Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
            var words = exec["ExecStart=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("/opt/donations/Donations.Api.dll", words[1]);
            return words[2..].Select(w => w.Replace("/opt/donations", Directory)).ToArray();
        }

        private static IEnumerable<string> Lines(string path) =>
            File.ReadAllLines(Path.Combine(Repository, path)).Select(l => l.Trim());

        private static string FindRepository()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Donations.sln"))) return dir.FullName;
            throw new InvalidOperationException("The repository (Donations.sln) was not found above the test's folder.");
        }
    }
}
