using Donations.Api.Infrastructure;
using Stripe;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>POST /manage/gift/cancel</c> with an optional <c>reason</c>: the gift ends when the period
/// already paid for ends (<c>cancel_at_period_end</c>), and the reason goes to Stripe as
/// <c>cancellation_details[comment]</c>. The webhook copies it onto the membership, where staff
/// see it (members export, <c>cancel_reason</c>), whichever way the cancellation was made.
/// </summary>
public static class CancelGift
{
    public const int MaxReasonLength = 500;

    public static Task<IResult> Handle(HttpContext http, GiftChanges changes) =>
        changes.HandleAsync(http, (gift, form, subscription) =>
        {
            var reason = form["reason"].ToString().Trim();
            if (reason.Length > MaxReasonLength) return PlannedChange.Refused($"Please keep the reason under {MaxReasonLength} characters.");
            var update = new SubscriptionUpdateOptions { CancelAtPeriodEnd = true };
            if (reason.Length > 0) update.CancellationDetails = new SubscriptionCancellationDetailsOptions { Comment = reason };
            var end = GiftWords.PeriodEnd(subscription);
            return PlannedChange.To("cancel",
                $"Your {GiftWords.Name(gift)} gift of {Money.Format(gift.Amount, gift.Currency)} is canceled"
                + (end is { } at ? $" and ends on {Dates.Long(at, changes.Zone)}" : "") + ": no payment will be taken after that.",
                update, reason.Length > 0 ? reason : null);
        });
}
