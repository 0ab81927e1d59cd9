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
    public long MonthlyAmount { get; set; }
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

    /// <summary>Creation time of the newest Stripe event applied; older events are ignored.</summary>
    public DateTime LastEventAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
}
