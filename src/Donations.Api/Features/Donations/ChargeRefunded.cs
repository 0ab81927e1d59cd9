using Donations.Api.Features.StripeWebhooks;
using Stripe;

namespace Donations.Api.Features.Donations;

/// <summary>
/// <c>charge.refunded</c>, full or partial. The charge carries the running total
/// (<c>amount_refunded</c>), so the donation takes the larger of what it has and that total: a
/// partial refund delivered after the full one changes nothing. A refund of a payment not
/// recorded yet waits (the job fails and is retried) rather than being dropped.
/// </summary>
public sealed class ChargeRefunded(DonationLookup lookup, ILogger<ChargeRefunded> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = ["charge.refunded"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var charge = (Charge)stripeEvent.Data.Object;
        var donation = await lookup.ByPaymentAsync(charge.PaymentIntentId, charge.Id, ct)
                       ?? throw new StripeEventNotReadyException($"the donation paid by {charge.PaymentIntentId ?? charge.Id}");

        donation.RefundedAmount = Math.Max(donation.RefundedAmount, charge.AmountRefunded);
        DonationStatusRules.Apply(donation);
        effects.Raise(new DonationChanged(donation));
        log.LogInformation("Charge {ChargeId} refunded {AmountRefunded} of donation {DonationId}: now {Status}",
            charge.Id, charge.AmountRefunded, donation.Id, donation.Status);
        return StripeEventOutcome.Processed;
    }
}
