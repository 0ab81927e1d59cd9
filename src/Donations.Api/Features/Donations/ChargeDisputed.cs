using Donations.Api.Features.StripeWebhooks;
using Stripe;

namespace Donations.Api.Features.Donations;

/// <summary>
/// <c>charge.dispute.created|updated|closed</c>. An open dispute marks the donation disputed; a
/// won one returns it to what its refunds say; a lost one counts the disputed amount as refunded
/// (once: the dispute's own closed status is the marker). A stale "created" arriving after
/// "closed" is ignored.
/// </summary>
public sealed class ChargeDisputed(DonationLookup lookup, ILogger<ChargeDisputed> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } =
        ["charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var dispute = (Dispute)stripeEvent.Data.Object;
        var donation = await lookup.ByPaymentAsync(dispute.PaymentIntentId, dispute.ChargeId, ct)
                       ?? throw new StripeEventNotReadyException($"the donation paid by {dispute.PaymentIntentId ?? dispute.ChargeId}");

        var sameDispute = donation.StripeDisputeId == dispute.Id;
        if (sameDispute && DonationStatusRules.IsDisputeClosed(donation.DisputeStatus) && !DonationStatusRules.IsDisputeClosed(dispute.Status))
        {
            log.LogInformation("Dispute {DisputeId} is already {DisputeStatus}; ignoring an older {EventType}",
                dispute.Id, donation.DisputeStatus, stripeEvent.Type);
            return StripeEventOutcome.Ignored;
        }

        if (dispute.Status == "lost" && !(sameDispute && donation.DisputeStatus == "lost"))
            donation.RefundedAmount += dispute.Amount;
        donation.StripeDisputeId = dispute.Id;
        donation.DisputeStatus = dispute.Status;
        DonationStatusRules.Apply(donation);
        effects.Raise(new DonationChanged(donation));
        log.LogInformation("Dispute {DisputeId} of donation {DonationId} is {DisputeStatus}: donation now {Status}",
            dispute.Id, donation.Id, dispute.Status, donation.Status);
        return StripeEventOutcome.Processed;
    }
}
