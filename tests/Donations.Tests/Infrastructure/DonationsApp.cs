using Donations.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Npgsql;

namespace Donations.Tests.Infrastructure;

public sealed class DonationsAppOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    /// <summary>Send email through a real SMTP conversation with <see cref="DonationsApp.Smtp"/>; otherwise to a pickup folder.</summary>
    public bool UseSmtp { get; set; }
    public bool HangfireServer { get; set; } = true;
    /// <summary>Serve on a real loopback port (browsers, other processes) instead of the in-memory test server.</summary>
    public bool UseKestrel { get; set; }
    public string Environment { get; set; } = "Testing";
    /// <summary>Share a database with another app (scale-out); by default each app gets a fresh one.</summary>
    public string? ConnectionString { get; set; }
    public StripeStandIn? Stripe { get; set; }
    public SmtpSink? Smtp { get; set; }
    /// <summary>Configuration keys to set (":" separated); a null value removes the default.</summary>
    public Dictionary<string, string?> Settings { get; } = new();
    /// <summary>Registrations added after the app's own (e.g. a capturing logger provider).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }
}

/// <summary>
/// The service under test, configured completely: its own database (SQLite file or a fresh
/// PostgreSQL database), Stripe answered by a <see cref="StripeStandIn"/>, email to an
/// <see cref="SmtpSink"/> or a pickup folder, Hangfire polling fast.
/// </summary>
public sealed class DonationsApp : IAsyncDisposable
{
    private readonly Factory _factory;
    private readonly bool _ownsStripe;
    private readonly bool _ownsSmtp;
    private bool _started;

    private DonationsApp(Factory factory, DonationsAppOptions options, string dataDirectory, string connectionString, bool ownsStripe, bool ownsSmtp)
    {
        _factory = factory;
        Options = options;
        DataDirectory = dataDirectory;
        ConnectionString = connectionString;
        _ownsStripe = ownsStripe;
        _ownsSmtp = ownsSmtp;
    }

    /// <summary>The organisation's time zone (<c>Organization:TimeZone</c>): receipts and statements keep its calendar's years.</summary>
    public static readonly TimeZoneInfo OrganizationZone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>The year <paramref name="at"/> falls in on the organisation's calendar (not UTC's: they differ for five hours a year).</summary>
    public static int OrganizationYear(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, OrganizationZone).Year;

    public DonationsAppOptions Options { get; }
    public StripeStandIn Stripe => Options.Stripe!;
    public SmtpSink? Smtp => Options.Smtp;
    public string DataDirectory { get; }
    public string OutboxDirectory => Path.Combine(DataDirectory, "outbox");
    public string ConnectionString { get; }
    public IServiceProvider Services => _factory.Services;
    /// <summary>A client into the app that keeps cookies and does not follow redirects.</summary>
    public HttpClient Client { get; private set; } = null!;
    /// <summary>The real address when <see cref="DonationsAppOptions.UseKestrel"/> is set.</summary>
    public Uri BaseAddress => _factory.ClientOptions.BaseAddress;

    public static async Task<DonationsApp> StartAsync(Action<DonationsAppOptions>? configure = null)
    {
        var options = new DonationsAppOptions();
        configure?.Invoke(options);
        var ownsStripe = options.Stripe is null;
        options.Stripe ??= await StripeStandIn.StartAsync();
        var ownsSmtp = options.UseSmtp && options.Smtp is null;
        if (ownsSmtp) options.Smtp = await SmtpSink.StartAsync();

        var dataDirectory = Path.Combine(Path.GetTempPath(), "donations-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var connectionString = options.ConnectionString ?? options.Provider switch
        {
            DatabaseProvider.Sqlite => $"Data Source={Path.Combine(dataDirectory, "donations.db")}",
            DatabaseProvider.Postgres => await (await PostgresServer.SharedAsync()).CreateDatabaseAsync(),
            _ => throw new NotSupportedException("SQL Server cannot run here; it is covered by migration checks."),
        };

        var settings = DefaultSettings(options, dataDirectory, connectionString);
        foreach (var (k, v) in options.Settings) settings[k] = v;

        var factory = new Factory(options.Environment, settings, options.ConfigureServices);
        if (options.UseKestrel) factory.UseKestrel(0);
        var app = new DonationsApp(factory, options, dataDirectory, connectionString, ownsStripe, ownsSmtp);
        try
        {
            if (options.UseKestrel) factory.StartServer();
            app.Client = app.CreateClient();
            // Touch the server so start-up (migrations, Hangfire) happens here, not inside a test's first call.
            _ = factory.Services;
            app._started = true;
            return app;
        }
        catch
        {
            // A start that failed gives back what it took (connections, the stand-ins, the folder).
            await app.DisposeAsync();
            throw;
        }
    }

    public static Dictionary<string, string?> DefaultSettings(DonationsAppOptions o, string dataDirectory, string connectionString) => new()
    {
        ["Database:Provider"] = o.Provider.ToString(),
        ["Database:MigrateOnStart"] = "true",
        ["ConnectionStrings:Donations"] = connectionString,
        ["Hangfire:ServerEnabled"] = o.HangfireServer ? "true" : "false",
        ["Hangfire:WorkerCount"] = "4",
        ["Hangfire:PollingInterval"] = "00:00:00.200",
        // Tests read Stripe's fees when they say so (FinanceBooks.ReadStripeFeesAsync, or the job
        // itself): a sweep on every minute would race them for the same gift's settlement row.
        // February 31st (Hangfire's Cron.Never): a yearly date would still fire under any test
        // running at that minute.
        ["Finance:SettlementCron"] = "0 0 31 2 *",
        ["DataProtection:CertificatePath"] = TestKeyRing.CertificatePath,
        ["Stripe:SecretKey"] = "sk_test_harness",
        ["Stripe:WebhookSecrets:0"] = StripeSignature.Secret,
        ["Stripe:ApiBase"] = o.Stripe!.BaseUrl,
        ["Email:Delivery"] = o.UseSmtp ? "Smtp" : "Pickup",
        ["Email:PickupDirectory"] = Path.Combine(dataDirectory, "outbox"),
        ["Email:From"] = "Example Journal <donations@example.org>",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = (o.Smtp?.Port ?? 25).ToString(),
        ["Email:Smtp:Security"] = "None",
        ["Organization:Name"] = "Example Journal",
        ["Organization:LegalName"] = "Example Journal Foundation, Inc.",
        ["Organization:TaxId"] = "12-3456789",
        ["Organization:Address"] = "100 Main Street, Springfield, MA 01101",
        ["Organization:Website"] = "https://example.org",
        ["Organization:TimeZone"] = OrganizationZone.Id,
        ["Organization:ReceiptSignatory"] = "Jane Doe, Executive Director",
        ["Donations:Currencies:0"] = "usd",
        ["Donations:Currencies:1"] = "eur",
        ["Donations:Currencies:2"] = "jpy",
        ["Donations:MinimumAmount"] = "5",
        ["Donations:MaximumAmount"] = "10000",
        ["Donations:PublicBaseUrl"] = "https://donate.example.org",
        ["Memberships:Tiers:0:Name"] = "Reader",
        ["Memberships:Tiers:0:MinimumMonthlyAmount"] = "5",
        ["Memberships:Tiers:0:Benefits"] = "",
        ["Memberships:Tiers:0:BenefitsFairMarketValue"] = "0",
        ["Memberships:Tiers:1:Name"] = "Supporter",
        ["Memberships:Tiers:1:MinimumMonthlyAmount"] = "15",
        ["Memberships:Tiers:1:Benefits"] = "Quarterly print edition",
        ["Memberships:Tiers:1:BenefitsFairMarketValue"] = "2.00",
        ["Memberships:Tiers:2:Name"] = "Patron",
        ["Memberships:Tiers:2:MinimumMonthlyAmount"] = "50",
        ["Memberships:Tiers:2:Benefits"] = "Quarterly print edition and annual tote bag",
        ["Memberships:Tiers:2:BenefitsFairMarketValue"] = "5.00",
    };

    /// <summary>
    /// The in-memory client speaks HTTPS (https://localhost), as a browser behind the TLS proxy
    /// does, so the <c>Secure</c> cookies the service sets outside Development come back. Over a
    /// real loopback listener cookies are kept by <see cref="LoopbackCookies"/>.
    /// </summary>
    public HttpClient CreateClient(bool handleCookies = true) =>
        Options.UseKestrel
            ? new HttpClient(handleCookies ? new LoopbackCookies(LoopbackHandler()) : LoopbackHandler()) { BaseAddress = BaseAddress }
            : _factory.CreateClient(new WebApplicationFactoryClientOptions
            {
                AllowAutoRedirect = false, HandleCookies = handleCookies, BaseAddress = new Uri("https://localhost"),
            });

    private static HttpClientHandler LoopbackHandler() => new() { AllowAutoRedirect = false, UseCookies = false };

    public async Task<T> WithDbAsync<T>(Func<DonationsDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<DonationsDbContext>());
    }

    public async Task WithDbAsync(Func<DonationsDbContext, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<DonationsDbContext>());
    }

    /// <summary>Posts a payload to the webhook endpoint, signed the way Stripe signs it, as Stripe would send it (see <see cref="AsStripeSendsIt"/>).</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string json, DateTimeOffset? signedAt = null, string secret = StripeSignature.Secret) =>
        Client.SendAsync(StripeSignature.SignedWebhook(AsStripeSendsIt(json), secret, signedAt));

    /// <summary>
    /// An invoice's <c>payments</c> come only when expanded, never in a webhook: an event built with
    /// them has them taken out and kept by the Stripe stand-in, where the service must look them up
    /// (<c>GET /v1/invoice_payments</c>) as it does in production. Anything else is sent as it is.
    /// </summary>
    private string AsStripeSendsIt(string json)
    {
        if (!json.Contains("\"invoice_payment\"", StringComparison.Ordinal)
            || System.Text.Json.Nodes.JsonNode.Parse(json) is not System.Text.Json.Nodes.JsonObject root
            || root["data"]?["object"] is not System.Text.Json.Nodes.JsonObject { } invoice
            || (string?)invoice["object"] != "invoice"
            || invoice["payments"]?["data"] is not System.Text.Json.Nodes.JsonArray payments)
            return json;
        foreach (var payment in payments.OfType<System.Text.Json.Nodes.JsonObject>()) Stripe.Store(payment);
        invoice.Remove("payments");
        return root.ToJsonString();
    }

    /// <summary>Every message written to the pickup folder so far.</summary>
    public IReadOnlyList<MimeMessage> OutboxMessages() =>
        Directory.Exists(OutboxDirectory)
            ? Directory.GetFiles(OutboxDirectory, "*.eml").Order().Select(f => MimeMessage.Load(f)).ToList()
            : [];

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        // The service tunes the connection string it is given (DatabaseSettings), and Npgsql keeps
        // one pool per string: its idle connections would stay open for five minutes after the app
        // is gone, and a suite of hundreds of apps would run the cluster out of connections.
        var used = UsedConnectionString();
        await _factory.DisposeAsync();
        if (Options.Provider == DatabaseProvider.Postgres)
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
            if (used is not null && used != ConnectionString) NpgsqlConnection.ClearPool(new NpgsqlConnection(used));
        }
        if (_ownsStripe) await Stripe.DisposeAsync();
        if (_ownsSmtp && Smtp is not null) await Smtp.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // Not asked of a host that failed to start: asking would start it again.
    private string? UsedConnectionString() => _started
        ? Services.GetService<global::Donations.Api.Infrastructure.Data.DatabaseSettings>()?.ConnectionString
        : null;

    private sealed class Factory(string environment, Dictionary<string, string?> settings, Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            foreach (var (k, v) in settings) builder.UseSetting(k, v);
            if (services is not null) builder.ConfigureServices(services);
        }
    }
}
