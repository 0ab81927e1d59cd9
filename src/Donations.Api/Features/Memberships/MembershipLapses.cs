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

    /// <summary>
    /// The gift as the donor chose it, to offer again: the amount without the fee they covered (the
    /// form adds it again, <c>coverFee</c> ticked), and the same rhythm. An annual gift where the
    /// page no longer offers annual giving comes back as its monthly twelfth, in steps the currency
    /// can be charged in.
    /// </summary>
    /// <param name="charged">What each payment charged, covered fee included (<c>Membership.MonthlyAmount</c>).</param>
    /// <param name="fee">The covered fee in it (<c>Membership.FeeAmount</c>).</param>
    /// <param name="interval">Stripe's price interval: <c>month</c> or <c>year</c>.</param>
    public static (long Amount, string Frequency) GiftAgain(long charged, long fee, string interval, string currency, bool offersAnnual)
    {
        var gift = Math.Max(charged - Math.Max(fee, 0), 0);
        if (interval != "year") return (gift, "monthly");
        if (offersAnnual) return (gift, "annual");
        var step = Currencies.ChargeStep(currency);
        return ((long)Math.Round(gift / 12m / step, MidpointRounding.AwayFromZero) * step, "monthly");
    }

    /// <summary>The donate page prefilled with <see cref="GiftAgain"/> (its <c>amount</c>, <c>currency</c>, <c>frequency</c> and <c>coverFee</c> parameters).</summary>
    public static string DonateAgainUrl(string baseUrl, long charged, long fee, string interval, string currency, bool offersAnnual)
    {
        var (gift, frequency) = GiftAgain(charged, fee, interval, currency, offersAnnual);
        return $"{baseUrl}/donate?amount={Uri.EscapeDataString(Money.FormatPlain(gift, currency))}&currency={Uri.EscapeDataString(currency)}"
               + $"&frequency={frequency}{(fee > 0 ? "&coverFee=true" : "")}";
    }

    /// <summary>The gift's name in emails: "monthly gift" or "annual gift".</summary>
    public static string GiftName(string interval) => interval == "year" ? "annual gift" : "monthly gift";
}
