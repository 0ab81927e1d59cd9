namespace Donations.Data.Entities;

public enum StripeEventStatus { Received, Processed, Ignored, Failed }

/// <summary>
/// Inbox row for one Stripe event, keyed by Stripe's event id: a redelivery finds the row and
/// is dropped. The raw payload is kept so processing can be retried and audited.
/// </summary>
public sealed class StripeEvent
{
    public required string Id { get; set; }
    public required string Type { get; set; }
    public string? ApiVersion { get; set; }
    public bool LiveMode { get; set; }
    /// <summary>Stripe's <c>created</c> time of the event.</summary>
    public DateTime CreatedAt { get; set; }
    public DateTime ReceivedAt { get; set; }
    /// <summary>webhook or reconcile.</summary>
    public required string Source { get; set; }
    public required string Payload { get; set; }
    public StripeEventStatus Status { get; set; }
    /// <summary>Set when the dispatcher has handed the event to Hangfire.</summary>
    public DateTime? EnqueuedAt { get; set; }
    public DateTime? ProcessedAt { get; set; }
    public int Attempts { get; set; }
    public string? Error { get; set; }
}
