using Donations.Api.Features.Donations;
using Stripe;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/gift/benefits</c> (<c>benefits</c> = <c>declined</c> or <c>accepted</c>): writes
/// the subscription metadata <c>benefits=declined</c> (or removes it). Renewal invoices carry the
/// subscription's metadata, so each payment from the next one on is recorded with its benefits
/// declined and its receipt says the whole payment is deductible; payments already made keep theirs.
/// </summary>
public static class DeclineBenefits
{
    public static Task<IResult> Handle(HttpContext http, GiftChanges changes) =>
        changes.HandleAsync(http, (gift, form, _) =>
        {
            var decline = form["benefits"].ToString() switch
            {
                GiftMetadata.BenefitsDeclinedValue => true,
                "accepted" => false,
                _ => (bool?)null,
            };
            if (decline is not { } declined) return PlannedChange.Refused("Choose whether to decline or accept the benefits.");
            if (declined == gift.BenefitsDeclined)
                return PlannedChange.Refused(declined ? "You have already declined the benefits." : "You already receive the benefits.");
            return PlannedChange.To(declined ? "decline-benefits" : "accept-benefits",
                declined
                    ? "You have declined the membership benefits. From your next payment on, your receipt will say so, and the whole payment is tax-deductible."
                    : "You will receive the membership benefits again from your next payment on; their value is stated on each receipt.",
                // An empty value removes the key from the subscription's metadata.
                new SubscriptionUpdateOptions { Metadata = new() { [GiftMetadata.BenefitsKey] = declined ? GiftMetadata.BenefitsDeclinedValue : "" } });
        });
}
