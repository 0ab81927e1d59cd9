using Donations.Api.Infrastructure;
using Stripe;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/gift/pause</c> (<c>months</c> 1–3) and <c>POST /manage/gift/resume</c>: Stripe's
/// <c>pause_collection</c> with <c>behavior=void</c>, so the invoices of the paused months are voided
/// (no payment, no gift, no receipt) and collection resumes by itself at <c>resumes_at</c>; resuming
/// early unsets it. The subscription stays active, so the member keeps the membership.
/// </summary>
public static class PauseGift
{
    public const int MaxMonths = 3;

    public static Task<IResult> Pause(HttpContext http, GiftChanges changes) =>
        changes.HandleAsync(http, (gift, form, _) =>
        {
            if (gift.Paused) return PlannedChange.Refused("This gift is already paused.");
            if (!int.TryParse(form["months"], out var months) || months is < 1 or > MaxMonths)
                return PlannedChange.Refused($"Choose a pause of 1 to {MaxMonths} months.");
            // From the start of today in the organisation's time zone, not this second: a form sent
            // twice must send Stripe the very same parameters under its idempotency key.
            var today = Dates.Local(changes.UtcNow, changes.Zone).Date;
            var resumesAt = Dates.StartInUtc(today.AddMonths(months), changes.Zone);
            return PlannedChange.To("pause",
                $"Your {GiftWords.Name(gift)} gift is paused: no payment will be taken until {Dates.Long(resumesAt, changes.Zone)}, when it resumes by itself.",
                new SubscriptionUpdateOptions
                {
                    PauseCollection = new SubscriptionPauseCollectionOptions { Behavior = "void", ResumesAt = resumesAt },
                });
        });

    public static Task<IResult> Resume(HttpContext http, GiftChanges changes) =>
        changes.HandleAsync(http, (gift, _, subscription) =>
        {
            if (!gift.Paused) return PlannedChange.Refused("This gift is not paused.");
            var update = new SubscriptionUpdateOptions();
            // An empty value unsets pause_collection, which is how Stripe resumes collection.
            update.AddExtraParam("pause_collection", "");
            var next = GiftWords.PeriodEnd(subscription);
            return PlannedChange.To("resume",
                $"Your {GiftWords.Name(gift)} gift has resumed{(next is { } at ? $": the next payment is due on {Dates.Long(at, changes.Zone)}" : "")}.",
                update);
        });
}
