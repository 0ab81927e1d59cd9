namespace Donations.Data.Entities;

/// <summary>
/// A change the donor asked for in the portal and Stripe accepted (amount, pause, payment day,
/// interval, cancellation, benefits). The books change only when Stripe's webhook arrives; this
/// row is what the confirmation email says and what staff can look up. <see cref="RequestKey"/>
/// is the idempotency key sent to Stripe: a form sent twice makes one row and one email.
/// </summary>
public sealed class GiftChange
{
    public long Id { get; set; }
    public long MembershipId { get; set; }
    public Membership? Membership { get; set; }
    public long DonorId { get; set; }
    /// <summary><c>amount</c>, <c>pause</c>, <c>resume</c>, <c>skip</c>, <c>payment-day</c>, <c>interval</c>, <c>cancel</c>, <c>decline-benefits</c>.</summary>
    public required string Kind { get; set; }
    /// <summary>The change in the donor's words, as the confirmation email states it.</summary>
    public required string Summary { get; set; }
    public string? Reason { get; set; }
    public required string RequestKey { get; set; }
    public DateTime RequestedAt { get; set; }
    public required string MessageId { get; set; }
    public DateTime? EmailSentAt { get; set; }
}
