namespace Donations.Api.Features.Finance;

/// <summary>
/// Which Stripe payments the donate flow made: it writes <c>origin</c> (<c>donate_page</c>, or
/// <c>staff</c> for a gift taken by hand) into the metadata of the session, payment intent and
/// subscription. Other payments on the account (shop, tickets) are not gifts, so their absence
/// from the books is not drift.
/// </summary>
public static class StripeOrigin
{
    public static bool IsGift(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue("origin", out var origin)
        && origin.Trim().ToLowerInvariant() is "donate_page" or "staff";
}
