using Donations.Api.Features.Checkout;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using Stripe;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/gift/interval</c> (<c>interval</c> = <c>year</c> or <c>month</c>): a monthly gift
/// becomes one payment a year of twelve times the gift (an annual one, a twelfth of it), offered
/// only when <c>Donations:Frequencies</c> lists <c>annual</c>. The item gets a price of the new
/// interval on the same product; a covered fee is worked out again for the new payment. Stripe
/// would charge a new interval at once; <c>trial_end</c> at the end of the period already paid for
/// (with <c>proration_behavior=none</c>) takes the first payment of the new rhythm then instead.
/// </summary>
public static class SwitchGiftInterval
{
    public static Task<IResult> Handle(HttpContext http, GiftChanges changes, IOptions<DonationsOptions> donations) =>
        changes.HandleAsync(http, (gift, form, subscription) =>
        {
            var options = donations.Value;
            var toYear = form["interval"] == "year";
            if (!toYear && form["interval"] != "month") return PlannedChange.Refused("Choose monthly or annual.");
            if (toYear == gift.IsAnnual) return PlannedChange.Refused($"This gift is {GiftWords.Name(gift)} already.");
            if (toYear && !options.OffersAnnual) return PlannedChange.Refused("Annual gifts are not offered.");
            if (gift.Paused) return PlannedChange.Refused("This gift is paused; resume it first.");
            if (subscription.Items?.Data is not [{ Price: { } price } item] || GiftWords.PeriodEnd(subscription) is not { } due || due <= changes.UtcNow)
                return PlannedChange.Refused("This gift cannot be changed here; please reply to any of our emails and we will change it for you.");

            var newGift = toYear ? gift.Gift * 12 : gift.Gift / 12;
            var (min, max) = GiftLimits.For(options, gift.Currency);
            if (newGift < min || newGift > max)
                return PlannedChange.Refused($"{Money.Format(newGift, gift.Currency)} is outside the limits of one gift ({Money.Format(min, gift.Currency)} to {Money.Format(max, gift.Currency)}).");
            var fee = gift.FeeAmount > 0 ? ProcessingFee.From(options).For(newGift, gift.Currency) : 0;
            var metadata = ChangeGiftAmount.GiftAmountMetadata(newGift, fee);
            metadata["frequency"] = toYear ? Frequencies.Annual : Frequencies.Monthly;
            return PlannedChange.To("interval",
                $"Your gift becomes {(toYear ? "annual" : "monthly")}: {Money.Format(newGift + fee, gift.Currency)} {(toYear ? "each year" : "each month")}, the first on {Dates.Long(due, changes.Zone)}.",
                new SubscriptionUpdateOptions
                {
                    Items = [ChangeGiftAmount.Repriced(item, price.ProductId, gift.Currency, newGift + fee, toYear ? "year" : "month")],
                    ProrationBehavior = "none",
                    TrialEnd = due,
                    Metadata = metadata,
                });
        });
}
