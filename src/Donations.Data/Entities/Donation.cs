namespace Donations.Data.Entities;

/// <summary>Stored by name. <see cref="Annual"/> is one payment a year of a recurring gift (Donations:Frequencies).</summary>
public enum DonationFrequency { OneTime, Monthly, Annual }

public enum DonationStatus { Succeeded, PartiallyRefunded, Refunded, Disputed }

/// <summary>
/// How the benefits received for a payment count for the IRS. <see cref="Deducted"/> (the
/// default, and the only one for gifts without benefits) takes their value off the deductible
/// amount; the others leave the whole payment deductible, each for the reason the receipt states.
/// </summary>
public enum BenefitsTreatment
{
    Deducted,
    /// <summary>Rev. Proc. 90-12: within the 2% / dollar-cap test or token items only.</summary>
    Insubstantial,
    /// <summary>Treas. Reg. 1.170A-13(f)(8)(i)(B): privileges for payments of $75 a year or less.</summary>
    MembershipPrivileges,
    /// <summary>The donor declined the benefits.</summary>
    Declined,
}

/// <summary>
/// One settled payment: a one-time gift, or one paid invoice of a monthly gift.
/// <see cref="SettlementKey"/> is unique so that any number of events describing the same
/// payment produce exactly one row: <c>pi:&lt;payment intent&gt;</c> for one-time gifts,
/// <c>in:&lt;invoice&gt;</c> for monthly ones.
/// </summary>
public sealed class Donation
{
    public long Id { get; set; }
    public required string SettlementKey { get; set; }
    public long DonorId { get; set; }
    public Donor? Donor { get; set; }

    /// <summary>Amount paid, in the currency's minor unit (whole units for zero-decimal currencies).</summary>
    public long Amount { get; set; }
    public required string Currency { get; set; }
    public DonationFrequency Frequency { get; set; }
    public DonationStatus Status { get; set; }
    /// <summary>
    /// Everything taken back from the gift: <see cref="ChargeRefundedAmount"/> plus
    /// <see cref="LostDisputeAmount"/>, never more than <see cref="Amount"/>. Derived from those two
    /// (by the donations feature's status rules) and stored so queries can total it.
    /// </summary>
    public long RefundedAmount { get; set; }
    /// <summary>Refunded through Stripe refunds: the charge's running <c>amount_refunded</c>.</summary>
    public long ChargeRefundedAmount { get; set; }
    /// <summary>The dispute's amount while the dispute stands lost (appeal included); zero otherwise.</summary>
    public long LostDisputeAmount { get; set; }
    public bool FeeCovered { get; set; }
    /// <summary>The part of <see cref="Amount"/> the donor added to cover processing fees.</summary>
    public long FeeAmount { get; set; }

    /// <summary>Fair market value of benefits received for this payment (membership tier), minor units.</summary>
    public long BenefitsValue { get; set; }
    public string? BenefitsDescription { get; set; }
    public BenefitsTreatment BenefitsTreatment { get; set; }

    public DateTime ReceivedAt { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>When an event last changed the gift (a later event of its payment, a refund, a dispute); the revenue rollup looks back by it.</summary>
    public DateTime? UpdatedAt { get; set; }

    public string? Campaign { get; set; }
    public string? Source { get; set; }
    /// <summary>The donate link's <c>utm_medium</c>, <c>utm_content</c> and <c>utm_term</c>, as Checkout's metadata carried them.</summary>
    public string? UtmMedium { get; set; }
    public string? UtmContent { get; set; }
    public string? UtmTerm { get; set; }

    public string? StripeCheckoutSessionId { get; set; }
    public string? StripePaymentIntentId { get; set; }
    public string? StripeChargeId { get; set; }
    public string? StripeInvoiceId { get; set; }
    public string? StripeSubscriptionId { get; set; }
    public string? StripeDisputeId { get; set; }
    /// <summary>Stripe's dispute status as last seen (needs_response, won, lost, appeal_under_review, ...).</summary>
    public string? DisputeStatus { get; set; }
    /// <summary>Creation time of the newest dispute event applied; older ones change nothing.</summary>
    public DateTime? DisputeEventAt { get; set; }

    /// <summary>
    /// Raised on every save (see <see cref="DonationsDbContext"/>) and checked by it: two events of
    /// one payment processed at once cannot both read-modify-write the row; the later save fails
    /// and its event runs again on what the first one stored.
    /// </summary>
    public long Version { get; set; }

    public long? MembershipId { get; set; }
    public Membership? Membership { get; set; }

    public List<Receipt> Receipts { get; set; } = [];

    /// <summary>Amount still counted as given: paid minus refunds and a lost dispute.</summary>
    public long NetAmount => Amount - RefundedAmount;
}

/// <summary>
/// A donate-page Checkout the donor completed with a delayed payment method (a bank debit): the
/// gift is recorded days later, when the debit settles, and is dated by <see cref="CompletedAt"/>,
/// when the donor gave. Removed once the payment settles or fails.
/// </summary>
public sealed class DelayedCheckout
{
    public required string CheckoutSessionId { get; set; }
    /// <summary>Stripe's <c>created</c> time of the session's unpaid <c>checkout.session.completed</c> event.</summary>
    public DateTime CompletedAt { get; set; }
}
