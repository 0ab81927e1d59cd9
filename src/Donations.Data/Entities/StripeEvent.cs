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

    // The inbox's partial indexes, as SQL filters. Each holds only the rows one reader looks for,
    // so an event enters one of them when it arrives, another when it is handed to Hangfire, and
    // none once processed. Statements name the status as the same literal, or the planner cannot
    // use these indexes.

    /// <summary>Arrived and not yet handed to Hangfire: what the dispatcher claims, oldest first.</summary>
    public static readonly string WaitingToBeEnqueued = $"{StatusIs(StripeEventStatus.Received)} AND \"EnqueuedAt\" IS NULL";

    /// <summary>Handed to Hangfire and not yet processed: what the sweeper looks through for lost jobs.</summary>
    public static readonly string HandedOver = $"{StatusIs(StripeEventStatus.Received)} AND \"EnqueuedAt\" IS NOT NULL";

    public static string StatusIs(StripeEventStatus status) => $"\"Status\" = '{status}'";
}
