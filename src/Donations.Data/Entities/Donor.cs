namespace Donations.Data.Entities;

/// <summary>A person who gave. Keyed by normalised (lower-case) email; linked to Stripe customers.</summary>
public sealed class Donor
{
    public long Id { get; set; }
    public required string Email { get; set; }
    public string? Name { get; set; }
    /// <summary>Billing address as Checkout collected it, one line ("1 Main St, Springfield, IL 62701, US"); null when not asked for.</summary>
    public string? Address { get; set; }
    /// <summary>
    /// Country of the billing address Stripe gave with a payment (ISO 3166-1 alpha-2, e.g. "US"),
    /// even when the full address was not asked for; null when Stripe gave none.
    /// </summary>
    public string? Country { get; set; }
    public string? StripeCustomerId { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>
    /// When the donor's personal data was erased on request: name and email are a pseudonym from
    /// then on; gifts and receipts stay until the retention period ends, then go too.
    /// </summary>
    public DateTime? ErasedAt { get; set; }
    /// <summary>
    /// For an erased donor, a one-way hash of the email they had (<c>ErasedEmails</c>), so that a late
    /// event about a payment made before the erasure is booked to the pseudonym instead of founding
    /// a new record under the old address. The address itself is not kept.
    /// </summary>
    public string? ErasedEmailHash { get; set; }

    public List<Donation> Donations { get; set; } = [];
    public List<Membership> Memberships { get; set; } = [];

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>What <see cref="ErasedEmailHash"/> holds for an address: SHA-256 of the normalised email, hex.</summary>
    public static string HashErasedEmail(string email) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("erased-donor:" + NormalizeEmail(email))));
}
