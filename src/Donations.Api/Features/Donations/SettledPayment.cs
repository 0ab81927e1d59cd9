using System.Globalization;
using Donations.Data.Entities;

namespace Donations.Api.Features.Donations;

/// <summary>
/// A payment that Stripe says has settled, as any of the events describing it sees it.
/// <see cref="SettlementKey"/> names the payment: <c>pi:&lt;payment intent&gt;</c> for one-time
/// gifts, <c>in:&lt;invoice&gt;</c> for each month of a monthly gift.
/// </summary>
public sealed record SettledPayment
{
    public required string SettlementKey { get; init; }
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public required DonationFrequency Frequency { get; init; }
    public required DateTime ReceivedAt { get; init; }
    public required DonorIdentity Donor { get; init; }
    /// <summary>True when this source's amount and time win over another's (the paid invoice).</summary>
    public bool IsAuthoritative { get; init; }
    public GiftMetadata Metadata { get; init; } = GiftMetadata.None;
    public string? CheckoutSessionId { get; init; }
    public string? PaymentIntentId { get; init; }
    public string? ChargeId { get; init; }
    public string? InvoiceId { get; init; }
    public string? SubscriptionId { get; init; }

    public static string OneTimeKey(string paymentIntentId) => "pi:" + paymentIntentId;
    public static string InvoiceKey(string invoiceId) => "in:" + invoiceId;
}

/// <summary>
/// What the donate page put in Checkout's metadata (and the subscription's, for renewals):
/// <c>cover_fee</c>, <c>fee_amount</c> (minor units), <c>campaign</c>, <c>source</c>, <c>utm_medium</c>,
/// <c>utm_content</c>, <c>utm_term</c>.
/// </summary>
public sealed record GiftMetadata(bool FeeCovered, long FeeAmount, string? Campaign, string? Source)
{
    public static readonly GiftMetadata None = new(false, 0, null, null);

    /// <summary>The subscription metadata the donor portal writes when the donor declines the benefits.</summary>
    public const string BenefitsKey = "benefits";
    public const string BenefitsDeclinedValue = "declined";

    /// <summary>The donor declined the tier's benefits: each payment from then on is wholly deductible.</summary>
    public bool BenefitsDeclined { get; init; }

    public string? UtmMedium { get; init; }
    public string? UtmContent { get; init; }
    public string? UtmTerm { get; init; }

    /// <summary>A recurring gift paid once a year (metadata <c>frequency=annual</c>), not monthly.</summary>
    public bool Annual { get; init; }

    /// <summary>What a subscription's payment is: annual when its metadata says so, else monthly.</summary>
    public DonationFrequency RecurringFrequency => Annual ? DonationFrequency.Annual : DonationFrequency.Monthly;

    public static GiftMetadata From(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || metadata.Count == 0) return None;
        var covered = metadata.TryGetValue("cover_fee", out var c) && c.Trim().ToLowerInvariant() is "true" or "1" or "yes" or "on";
        var fee = metadata.TryGetValue("fee_amount", out var f)
                  && long.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return new GiftMetadata(covered, covered ? fee : 0, Text(metadata, "campaign"), Text(metadata, "source"))
        {
            BenefitsDeclined = metadata.TryGetValue(BenefitsKey, out var b) && b.Trim().Equals(BenefitsDeclinedValue, StringComparison.OrdinalIgnoreCase),
            UtmMedium = Text(metadata, "utm_medium"),
            UtmContent = Text(metadata, "utm_content"),
            UtmTerm = Text(metadata, "utm_term"),
            Annual = metadata.TryGetValue("frequency", out var frequency) && frequency.Trim().Equals("annual", StringComparison.OrdinalIgnoreCase),
        };
    }

    private static string? Text(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? (v.Length > 100 ? v[..100] : v.Trim()) : null;
}
