using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Infrastructure.Configuration;

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
    public TimeSpan InboxStuckAfter { get; set; } = DefaultInboxStuckAfter;
    public static readonly TimeSpan DefaultInboxStuckAfter = TimeSpan.FromMinutes(10);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey) && WebhookSecrets.Any(s => !string.IsNullOrWhiteSpace(s));
}
