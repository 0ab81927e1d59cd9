namespace Donations.Data.Entities;

/// <summary>A one-time sign-in link for the donor portal. Only the SHA-256 of the token is stored.</summary>
public sealed class DonorSignInToken
{
    public long Id { get; set; }
    public long DonorId { get; set; }
    public Donor? Donor { get; set; }
    public required string TokenHash { get; set; }
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
