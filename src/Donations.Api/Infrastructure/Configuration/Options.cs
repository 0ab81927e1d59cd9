using System.ComponentModel.DataAnnotations;
using Donations.Data;

namespace Donations.Api.Infrastructure.Configuration;

// One class per configuration section (DESIGN.md "Configuration"). Validation messages name the
// full key so an operator knows exactly what to set.

public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
    /// <summary>Null means: true for Sqlite, false for the server databases.</summary>
    public bool? MigrateOnStart { get; set; }
    public bool ShouldMigrateOnStart => MigrateOnStart ?? Provider == DatabaseProvider.Sqlite;
}

public sealed class HangfireOptions
{
    public const string Section = "Hangfire";
    public bool ServerEnabled { get; set; } = true;
    [Range(1, 200, ErrorMessage = "Hangfire:WorkerCount must be between 1 and 200.")]
    public int WorkerCount { get; set; } = Math.Min(Environment.ProcessorCount * 5, 20);
    [Required(ErrorMessage = "Hangfire:DashboardPath is required (e.g. /hangfire).")]
    [RegularExpression("^/.*", ErrorMessage = "Hangfire:DashboardPath must start with '/'.")]
    public string DashboardPath { get; set; } = "/hangfire";
    /// <summary>How often queues and schedules are polled; tests use about a second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00", ErrorMessage = "Hangfire:PollingInterval must be between 50 ms and 5 minutes.")]
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How long a job fetched by a node that then died stays hidden before another node takes it
    /// (PostgreSQL and SQL Server storage). Live nodes keep extending it, so long jobs are safe.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Hangfire:InvisibilityTimeout must be between 5 seconds and 1 hour.")]
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class StripeOptions
{
    public const string Section = "Stripe";
    public string? SecretKey { get; set; }
    public string[] WebhookSecrets { get; set; } = [];
    [Required(ErrorMessage = "Stripe:ApiBase is required.")]
    [Url(ErrorMessage = "Stripe:ApiBase must be an absolute URL.")]
    public string ApiBase { get; set; } = "https://api.stripe.com";
    /// <summary>Signature tolerance in seconds (Stripe's default is 300).</summary>
    [Range(1, 3600, ErrorMessage = "Stripe:WebhookToleranceSeconds must be between 1 and 3600.")]
    public int WebhookToleranceSeconds { get; set; } = 300;
    /// <summary>How far back the reconciliation job lists events.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Stripe:ReconcileWindow must be between 1 minute and 30 days.")]
    public TimeSpan ReconcileWindow { get; set; } = TimeSpan.FromDays(3);
    [Required(ErrorMessage = "Stripe:ReconcileCron is required.")]
    public string ReconcileCron { get; set; } = "0 * * * *";
    /// <summary>
    /// An event handed to Hangfire this long ago and still unprocessed is handed over again (a node
    /// died between claiming it and enqueueing its job). A second job for a live one is harmless.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Stripe:InboxStuckAfter must be between 10 seconds and 1 day.")]
    public TimeSpan InboxStuckAfter { get; set; } = Features.StripeWebhooks.SweepStripeInbox.StuckAfter;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey) && WebhookSecrets.Any(s => !string.IsNullOrWhiteSpace(s));
}

public enum EmailDelivery { Pickup, Smtp }

public sealed class EmailOptions
{
    public const string Section = "Email";
    public EmailDelivery Delivery { get; set; } = EmailDelivery.Pickup;
    [Required(ErrorMessage = "Email:PickupDirectory is required.")]
    public string PickupDirectory { get; set; } = "data/outbox";
    [Required(ErrorMessage = "Email:From is required (e.g. \"Example Journal <donations@example.org>\").")]
    public string From { get; set; } = "";
    /// <summary>Optional folder of edited templates; a file here replaces the shipped one of the same name.</summary>
    public string? TemplatesDirectory { get; set; }
    public SmtpOptions Smtp { get; set; } = new();
}

public enum SmtpSecurity { None, StartTls, StartTlsWhenAvailable, SslOnConnect, Auto }

/// <summary>Checked on start by <see cref="OptionsSetup"/>, which names the key of any bad value.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>Messages sent over one connection before it is recycled.</summary>
    public int BatchSize { get; set; } = 100;
    /// <summary>
    /// How long a sender holds the receipts of its batch. If it dies, they go out again once this
    /// has passed; it must cover a whole batch on a slow server, or a second sender could take them.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// Receipt senders at most at once on each node, each on its own connection. Two to four keep a
    /// local relay busy; a provider that limits connections per client may need fewer.
    /// </summary>
    public int Connections { get; set; } = 4;
}

public sealed class OrganizationOptions
{
    public const string Section = "Organization";
    [Required(ErrorMessage = "Organization:Name is required.")]
    public string Name { get; set; } = "";
    [Required(ErrorMessage = "Organization:LegalName is required (it is printed on every tax receipt).")]
    public string LegalName { get; set; } = "";
    [Required(ErrorMessage = "Organization:TaxId is required (the EIN printed on every tax receipt).")]
    [RegularExpression(@"^\d{2}-\d{7}$", ErrorMessage = "Organization:TaxId must be an EIN like 12-3456789.")]
    public string TaxId { get; set; } = "";
    [Required(ErrorMessage = "Organization:Address is required.")]
    public string Address { get; set; } = "";
    [Required(ErrorMessage = "Organization:Website is required.")]
    public string Website { get; set; } = "";
    [Required(ErrorMessage = "Organization:TimeZone is required (an IANA id such as America/New_York).")]
    public string TimeZone { get; set; } = "America/New_York";
    [Required(ErrorMessage = "Organization:ReceiptSignatory is required.")]
    public string ReceiptSignatory { get; set; } = "";

    public TimeZoneInfo GetTimeZone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}

public sealed class DonationsOptions
{
    public const string Section = "Donations";
    [MinLength(1, ErrorMessage = "Donations:Currencies must list at least one ISO currency code.")]
    // No default elements: the configuration binder appends configured items to an array's
    // existing ones, so a default ["usd"] plus a configured ["usd"] would be ["usd", "usd"].
    // appsettings.json carries the defaults.
    public string[] Currencies { get; set; } = [];
    [Range(typeof(decimal), "0.01", "1000000000", ErrorMessage = "Donations:MinimumAmount must be positive.")]
    public decimal MinimumAmount { get; set; } = 5m;
    [Range(typeof(decimal), "0.01", "1000000000", ErrorMessage = "Donations:MaximumAmount must be positive.")]
    public decimal MaximumAmount { get; set; } = 10000m;
    public decimal[] PresetAmounts { get; set; } = [];
    [Range(typeof(decimal), "0", "50", ErrorMessage = "Donations:ProcessingFeePercent must be between 0 and 50.")]
    public decimal ProcessingFeePercent { get; set; } = 2.9m;
    [Range(typeof(decimal), "0", "100", ErrorMessage = "Donations:ProcessingFeeFixed must be between 0 and 100.")]
    public decimal ProcessingFeeFixed { get; set; } = 0.30m;
    [Required(ErrorMessage = "Donations:PublicBaseUrl is required (used for Checkout return URLs and links in emails).")]
    [Url(ErrorMessage = "Donations:PublicBaseUrl must be an absolute URL.")]
    public string PublicBaseUrl { get; set; } = "";
    /// <summary>Limits of the other currencies by lower-case code (<see cref="GiftLimits"/>).</summary>
    public Dictionary<string, CurrencyLimitOptions> CurrencyLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public string DefaultCurrency => Currencies[0];
}

public sealed class MembershipTier
{
    [Required(ErrorMessage = "Memberships:Tiers:n:Name is required.")]
    public string Name { get; set; } = "";
    public decimal MinimumMonthlyAmount { get; set; }
    public string Benefits { get; set; } = "";
    /// <summary>Good-faith fair market value of the benefits, per monthly payment, major units.</summary>
    public decimal BenefitsFairMarketValue { get; set; }
}

public sealed class MembershipsOptions
{
    public const string Section = "Memberships";
    public List<MembershipTier> Tiers { get; set; } = [];
}

public sealed class StatementsOptions
{
    public const string Section = "Statements";
    [Required(ErrorMessage = "Statements:Cron is required (default \"0 9 10 1 *\": 10 January 09:00).")]
    public string Cron { get; set; } = "0 9 10 1 *";
    /// <summary>IANA id; empty means Organization:TimeZone.</summary>
    public string? TimeZone { get; set; }
    [Range(1, 10000, ErrorMessage = "Statements:BatchSize must be between 1 and 10000.")]
    public int BatchSize { get; set; } = 250;
}
