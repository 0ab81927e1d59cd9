using Donations.Api.Infrastructure;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// When a membership has lapsed, and the way back. A failed payment alone is no lapse: the
/// subscription is <c>past_due</c> while Stripe retries, and lapses only when Stripe gives up,
/// canceling it (<c>cancellation_details.reason = payment_failed</c>) or leaving it <c>unpaid</c>,
/// as the account's retry settings say.
/// </summary>
public static class MembershipLapses
{
    /// <summary>Statuses of a monthly gift that is still going (or being retried).</summary>
    public static readonly string[] Current = ["active", "trialing", "past_due"];

    /// <summary>Statuses of a monthly gift that has ended: canceled, or left unpaid after the retries.</summary>
    public static readonly string[] Ended = ["canceled", "unpaid"];

    public static bool HasEnded(string status) => Ended.Contains(status);

    /// <summary>Statuses that stop the gift, <c>incomplete_expired</c> (a first payment never made) included: <c>Membership.LapsedAt</c> is set.</summary>
    public static readonly string[] Stopped = [.. Ended, "incomplete_expired"];

    /// <summary>Ended because Stripe could not collect, rather than because the donor (or staff) canceled.</summary>
    public static bool StripeGaveUp(string status, string? cancellationReason) =>
        status == "unpaid" || (status == "canceled" && cancellationReason == "payment_failed");

    /// <summary>The donate page prefilled with the gift's amount, currency and frequency (its <c>amount</c>, <c>currency</c>, <c>frequency</c> parameters).</summary>
    public static string DonateAgainUrl(string baseUrl, long monthlyAmount, string currency) =>
        $"{baseUrl}/donate?amount={Uri.EscapeDataString(Money.FormatPlain(monthlyAmount, currency))}&currency={Uri.EscapeDataString(currency)}&frequency=monthly";
}
