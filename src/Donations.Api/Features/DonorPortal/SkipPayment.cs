using Donations.Api.Infrastructure;
using Stripe;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/gift/skip</c>: no payment at the next due date, the one after as usual. A pause
/// (<c>pause_collection[behavior]=void</c>) that resumes a day after the current period ends voids
/// exactly the invoice made at its end and keeps the payment day.
/// </summary>
public static class SkipPayment
{
    public static Task<IResult> Handle(HttpContext http, GiftChanges changes) =>
        changes.HandleAsync(http, (gift, _, subscription) =>
        {
            if (gift.Paused) return PlannedChange.Refused("This gift is paused already; resume it first.");
            if (GiftWords.PeriodEnd(subscription) is not { } due || due <= changes.UtcNow)
                return PlannedChange.Refused("We could not tell when the next payment is due.");
            return PlannedChange.To("skip",
                $"The {GiftWords.Name(gift)} payment of {Money.Format(gift.Amount, gift.Currency)} due on {Dates.Long(due, changes.Zone)} will be skipped; the one after it is taken as usual.",
                new SubscriptionUpdateOptions
                {
                    PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "void", ResumesAt = due.AddDays(1) },
                });
        });
}
