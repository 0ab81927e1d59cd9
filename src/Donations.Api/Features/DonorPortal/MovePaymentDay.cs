using Donations.Api.Infrastructure;
using Stripe;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/gift/payment-day</c> (<c>day</c> 1–28, in the organisation's time zone): the next
/// payment moves to the first such day on or after the current due date, never earlier, so no
/// period is paid twice. Endive's <c>billing_cycle_anchor</c> on an update only takes <c>now</c> or
/// <c>unchanged</c>; a <c>trial_end</c> at the new date (with <c>proration_behavior=none</c>) is how
/// Stripe moves the anchor of a running subscription without charging for the gap.
/// </summary>
public static class MovePaymentDay
{
    public const int LastDay = 28;

    public static Task<IResult> Handle(HttpContext http, GiftChanges changes) =>
        changes.HandleAsync(http, (gift, form, subscription) =>
        {
            if (!int.TryParse(form["day"], out var day) || day is < 1 or > LastDay)
                return PlannedChange.Refused($"Choose a day from 1 to {LastDay}: every month has those.");
            if (gift.Paused) return PlannedChange.Refused("This gift is paused; resume it before moving the payment day.");
            if (GiftWords.PeriodEnd(subscription) is not { } due || due <= changes.UtcNow)
                return PlannedChange.Refused("We could not tell when the next payment is due.");
            var next = NextPaymentOn(due, day, changes.Zone);
            if (next == due) return PlannedChange.Refused($"Your payments are already taken on day {day}.");
            return PlannedChange.To("payment-day",
                $"Your next {GiftWords.Name(gift)} payment moves from {Dates.Long(due, changes.Zone)} to {Dates.Long(next, changes.Zone)}, and is taken on that day {GiftWords.Each(gift)} after.",
                new SubscriptionUpdateOptions { TrialEnd = next, ProrationBehavior = "none" });
        });

    /// <summary>The first <paramref name="day"/> of a month on or after <paramref name="due"/>, at the same local time of day.</summary>
    public static DateTime NextPaymentOn(DateTime due, int day, TimeZoneInfo zone)
    {
        var local = Dates.Local(due, zone);
        var candidate = new DateTime(local.Year, local.Month, day, local.Hour, local.Minute, local.Second, DateTimeKind.Unspecified);
        if (candidate < local) candidate = candidate.AddMonths(1);
        return TimeZoneInfo.ConvertTimeToUtc(candidate, zone);
    }
}
