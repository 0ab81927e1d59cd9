using Stripe;

namespace Donations.Api.Features.DonorPortal;

/// <summary>How the portal names a gift's rhythm, and when its current period ends at Stripe.</summary>
internal static class GiftWords
{
    public static string Name(OwnedGift gift) => gift.IsAnnual ? "annual" : "monthly";
    public static string Each(OwnedGift gift) => gift.IsAnnual ? "each year" : "each month";

    /// <summary>The end of the period paid for, from Stripe's subscription items (endive keeps it there).</summary>
    public static DateTime? PeriodEnd(Subscription subscription) =>
        subscription.Items?.Data is { Count: > 0 } items ? items.Max(i => i.CurrentPeriodEnd) : null;
}
