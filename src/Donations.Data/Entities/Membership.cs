namespace Donations.Data.Entities;

/// <summary>A monthly gift: one Stripe subscription.</summary>
public sealed class Membership
{
    public long Id { get; set; }
    public long DonorId { get; set; }
    public Donor? Donor { get; set; }
    public required string StripeSubscriptionId { get; set; }
    public string? StripeCustomerId { get; set; }

    /// <summary>Stripe's subscription status: incomplete, active, past_due, unpaid, canceled, ...</summary>
    public required string Status { get; set; }
    /// <summary>What each payment charges (a year's worth for annual gifts), covered fee included.</summary>
    public long MonthlyAmount { get; set; }
    /// <summary>Stripe's price interval: <c>month</c>, or <c>year</c> for annual gifts.</summary>
    public string Interval { get; set; } = "month";
    /// <summary>The part of each payment the donor added to cover processing fees (subscription metadata).</summary>
    public long FeeAmount { get; set; }
    public required string Currency { get; set; }
    public string? Tier { get; set; }
    public bool CancelAtPeriodEnd { get; set; }
    public DateTime? CurrentPeriodEnd { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? CanceledAt { get; set; }
    /// <summary>Stripe's <c>cancellation_details.reason</c>: <c>payment_failed</c> when Stripe gave up collecting.</summary>
    public string? StripeCancellationReason { get; set; }
    /// <summary>The next payment date whose card was last checked for expiry, so each is checked once.</summary>
    public DateTime? CardCheckedFor { get; set; }
    /// <summary>
    /// When the gift lapsed: first seen canceled, unpaid or incomplete_expired; cleared when it is
    /// going again. Win-back is timed from it, not from the newest event, which later events move.
    /// </summary>
    public DateTime? LapsedAt { get; set; }

    /// <summary>Stripe's <c>pause_collection</c> is set: invoices are voided until <see cref="PausedUntil"/>.</summary>
    public bool Paused { get; set; }
    public DateTime? PausedUntil { get; set; }
    /// <summary>The donor declined the tier's benefits for future payments (subscription metadata <c>benefits=declined</c>).</summary>
    public bool BenefitsDeclined { get; set; }
    /// <summary>Why the donor canceled, in their words (Stripe's <c>cancellation_details.comment</c>), for staff.</summary>
    public string? CancellationReason { get; set; }

    /// <summary>Creation time of the newest Stripe event applied; older events are ignored. The row's concurrency token.</summary>
    public DateTime LastEventAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}
