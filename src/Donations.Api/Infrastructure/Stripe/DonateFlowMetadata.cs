namespace Donations.Api.Infrastructure.Stripe;

/// <summary>
/// What makes a Stripe payment a gift: the same account also sells things (shop, tickets, Payment
/// Links, print subscriptions), and their sessions, invoices and charges reach the same webhook.
/// The donate flow writes <see cref="OriginKey"/> = <see cref="DonatePage"/> into the metadata of
/// the Checkout session, the payment intent and the subscription; staff who take a gift outside
/// the donate page on purpose (a Payment Link, an invoice made in the Dashboard) write
/// <see cref="Staff"/> instead. Anything else is not ours: no donation, receipt or export row.
/// </summary>
public static class DonateFlowMetadata
{
    public const string OriginKey = "origin";
    public const string DonatePage = "donate_page";
    public const string Staff = "staff";
    public const string NotOurs = "not created by the donate page";

    /// <summary>
    /// What the donate flow wrote before it wrote <see cref="OriginKey"/>: monthly gifts begun then
    /// renew for years, and their invoices must stay gifts.
    /// </summary>
    private static readonly string[] EarlierDonateFlowKeys = ["frequency", "cover_fee", "fee_amount", "gift_amount"];

    public static bool IsOurs(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null
        && (metadata.TryGetValue(OriginKey, out var origin)
            ? origin.Trim().ToLowerInvariant() is DonatePage or Staff
            : EarlierDonateFlowKeys.All(metadata.ContainsKey) && long.TryParse(metadata["gift_amount"], out _));
}
