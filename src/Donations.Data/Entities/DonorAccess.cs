namespace Donations.Data.Entities;

/// <summary>
/// A link that acts for a donor without a password: a one-time sign-in link for the donor portal,
/// or a link that opens Stripe's card update for one customer. Only the SHA-256 of the token is stored.
/// </summary>
public sealed class DonorSignInToken
{
    public const string SignInPurpose = "sign-in";
    public const string PaymentMethodUpdatePurpose = "payment-method-update";

    public long Id { get; set; }
    public long DonorId { get; set; }
    public Donor? Donor { get; set; }
    public required string TokenHash { get; set; }
    /// <summary>What the link may do, and nothing else: <see cref="SignInPurpose"/> or <see cref="PaymentMethodUpdatePurpose"/>.</summary>
    public string Purpose { get; set; } = SignInPurpose;
    /// <summary>For a card-update link, the one Stripe customer it opens.</summary>
    public string? StripeCustomerId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? UsedAt { get; set; }
}

/// <summary>
/// Exactly-once marker for a notification email (welcome, payment failed, canceled, refund
/// notice...). <see cref="Key"/> is unique, e.g. <c>welcome:sub_123</c>.
/// </summary>
public sealed class Notification
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public required string Kind { get; set; }
    public long? DonorId { get; set; }
    public required string MessageId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    /// <summary>Held by one sender until then (a lease): a sender that dies mid-send lets it expire.</summary>
    public DateTime? ClaimedUntil { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
}
