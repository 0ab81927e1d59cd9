using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Stripe;
using Stripe;

namespace Donations.Api.Features.Donations;

/// <summary>
/// <c>charge.refunded</c>, full or partial. The charge carries the running total
/// (<c>amount_refunded</c>), so the donation takes the larger of what it has and that total: a
/// partial refund delivered after the full one changes nothing. Refunds are kept apart from a lost
/// dispute's amount (Stripe's <c>amount_refunded</c> never includes it), so neither event can
/// overwrite or double the other. A refund of a payment not
/// recorded yet waits (the job fails and is retried) rather than being dropped; a refund of a
/// payment the donate flow did not make (a shop sale) is ignored.
/// </summary>
public sealed class ChargeRefunded(DonationLookup lookup, DonationLedger ledger, TimeProvider time, ILogger<ChargeRefunded> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = ["charge.refunded"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var charge = (Charge)stripeEvent.Data.Object;
        if (await lookup.ForChangeAsync(charge.PaymentIntentId, charge.Id, ct) is not { } donation)
            return effects.Ignore(DonateFlowMetadata.NotOurs);

        var refundedBefore = donation.ChargeRefundedAmount;
        donation.ChargeRefundedAmount = Math.Max(donation.ChargeRefundedAmount, charge.AmountRefunded);
        DonationStatusRules.Apply(donation);
        donation.UpdatedAt = time.GetUtcNow().UtcDateTime;
        // Less given for the same benefits: they may no longer be insubstantial.
        if (donation.ChargeRefundedAmount != refundedBefore) await ledger.RejudgeBenefitsAsync(donation, ct);
        effects.Raise(new DonationChanged(donation));
        log.LogInformation("Charge {ChargeId} refunded {AmountRefunded} of donation {DonationId}: now {Status}",
            charge.Id, charge.AmountRefunded, donation.Id, donation.Status);
        return StripeEventOutcome.Processed;
    }
}
