namespace Donations.Data.Entities;

/// <summary>
/// One Stripe balance transaction as Stripe reported it: what a charge, refund or dispute moved
/// in the account's settlement currency, its fee, and the payout that took it to the bank. Linked
/// to the gift it belongs to when there is one; a transaction with no gift is "unmatched".
/// </summary>
public sealed class StripeBalanceTransaction
{
    /// <summary>Stripe's id, <c>txn_…</c>.</summary>
    public required string Id { get; set; }
    /// <summary>charge, payment, refund, payment_refund, adjustment, payout, stripe_fee, …</summary>
    public required string Type { get; set; }
    /// <summary>charge, refund, dispute, dispute_reversal, fee, payout, …</summary>
    public string? ReportingCategory { get; set; }
    /// <summary>The object that moved the money: <c>ch_</c>, <c>py_</c>, <c>re_</c>, <c>du_</c>, <c>po_</c>, …</summary>
    public string? SourceId { get; set; }
    public long? DonationId { get; set; }
    /// <summary>Gross, in minor units of <see cref="Currency"/> (negative for money going out).</summary>
    public long Amount { get; set; }
    public long Fee { get; set; }
    public long Net { get; set; }
    /// <summary>The settlement currency (the account's balance), which may differ from the gift's.</summary>
    public required string Currency { get; set; }
    /// <summary>Gift currency to settlement currency, when they differ.</summary>
    public decimal? ExchangeRate { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime AvailableOn { get; set; }
    public string? PayoutId { get; set; }
    public DateTime FetchedAt { get; set; }
}

/// <summary>A Stripe payout: one bank deposit.</summary>
public sealed class StripePayout
{
    /// <summary><c>po_…</c></summary>
    public required string Id { get; set; }
    /// <summary>What reached the bank, minor units of <see cref="Currency"/>.</summary>
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public DateTime ArrivalDate { get; set; }
    public required string Status { get; set; }
    public bool Automatic { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>When its balance transactions were last listed; null until then.</summary>
    public DateTime? TransactionsFetchedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// When a gift's balance transactions were last read from Stripe, and what the gift looked like
/// then: a refund or dispute recorded since makes the gift due for another look.
/// </summary>
public sealed class GiftSettlement
{
    public long DonationId { get; set; }
    public DateTime? CheckedAt { get; set; }
    public long CheckedRefundedAmount { get; set; }
    public string? CheckedDisputeStatus { get; set; }
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public string? Error { get; set; }
}

/// <summary>One run of the drift report: the books compared with Stripe's objects over a window.</summary>
public sealed class DriftReport
{
    public long Id { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public DateTime WindowFrom { get; set; }
    public DateTime WindowTo { get; set; }
    public int ItemCount { get; set; }
    /// <summary>Staff email for an on-demand run; null for the nightly one.</summary>
    public string? RequestedBy { get; set; }
    public string? Error { get; set; }
    public List<DriftItem> Items { get; set; } = [];
}

/// <summary>One disagreement between the books and Stripe.</summary>
public sealed class DriftItem
{
    public long Id { get; set; }
    public long ReportId { get; set; }
    /// <summary>missing_gift, gift_without_payment, amount_mismatch, refund_mismatch, dispute_mismatch, payout_mismatch.</summary>
    public required string Kind { get; set; }
    public string? StripeObject { get; set; }
    public long? DonationId { get; set; }
    public required string Detail { get; set; }
    /// <summary>When an Admin replayed the missing object into the inbox.</summary>
    public DateTime? ReplayedAt { get; set; }
}

/// <summary>
/// The revenue page's rollup: one row per day of the organisation's calendar, currency, campaign and
/// source ("" for none), with that day's gifts and their net. Recounted from the donations whenever
/// a <see cref="RevenueDayToRecount"/> names the day, so it can always be rebuilt from them.
/// </summary>
public sealed class RevenueDay
{
    public long Id { get; set; }
    public DateOnly Day { get; set; }
    public required string Currency { get; set; }
    public required string Campaign { get; set; }
    public required string Source { get; set; }
    public int Gifts { get; set; }
    /// <summary>Paid minus refunds and lost disputes, minor units.</summary>
    public long Net { get; set; }
    /// <summary>Gifts over the IRS's $75 with benefits in return (Form 990 quid-pro-quo contributions).</summary>
    public int QuidProQuo { get; set; }
}

/// <summary>A day whose gifts changed since its <see cref="RevenueDay"/> rows were counted. Several may name one day.</summary>
public sealed class RevenueDayToRecount
{
    public long Id { get; set; }
    public DateOnly Day { get; set; }
}

/// <summary>
/// A membership's amount as each Stripe subscription event left it, kept when it changed: an
/// upgrade is a change to a larger amount a month (annual gifts count a twelfth).
/// </summary>
public sealed class MembershipAmountChange
{
    public long Id { get; set; }
    public long MembershipId { get; set; }
    /// <summary>Set when the row is written, so a membership saved in the same unit of work can be named.</summary>
    public Membership? Membership { get; set; }
    /// <summary>Stripe's time of the event that brought the amount.</summary>
    public DateTime ChangedAt { get; set; }
    /// <summary>The amount before, null for the first one seen.</summary>
    public long? FromAmount { get; set; }
    public long ToAmount { get; set; }
    public required string Interval { get; set; }
    public bool Upgrade { get; set; }
}

/// <summary>
/// A membership's status as each Stripe event left it, kept when it changed, so the revenue page
/// can tell which members were paying at the end of a past month (active and not paused: not past
/// due, lapsed or still incomplete). The migration that made the table put one row per membership
/// as it stood then; before a membership's first row its state is not known.
/// </summary>
public sealed class MembershipStatusChange
{
    public long Id { get; set; }
    public long MembershipId { get; set; }
    /// <summary>Set when the row is written, so a membership saved in the same unit of work can be named.</summary>
    public Membership? Membership { get; set; }
    /// <summary>Stripe's time of the event that brought the status.</summary>
    public DateTime ChangedAt { get; set; }
    /// <summary>Stripe's subscription status: active, past_due, unpaid, canceled, incomplete, ...</summary>
    public required string Status { get; set; }
    /// <summary>Stripe's <c>pause_collection</c> was set: nothing is charged.</summary>
    public bool Paused { get; set; }
}

/// <summary>
/// A membership's renewal payment that failed: one row per failed attempt (Stripe retries an
/// invoice several times, each an <c>invoice.payment_failed</c>), so a month's failed-payment
/// members are the distinct memberships among its rows. Only memberships have rows: a failed
/// invoice of another product on the Stripe account is none.
/// </summary>
public sealed class MembershipPaymentFailure
{
    public long Id { get; set; }
    public long MembershipId { get; set; }
    public required string StripeInvoiceId { get; set; }
    /// <summary>Stripe's time of the <c>invoice.payment_failed</c> event.</summary>
    public DateTime FailedAt { get; set; }
}
