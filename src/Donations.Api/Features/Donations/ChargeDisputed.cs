using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Stripe;
using Stripe;

namespace Donations.Api.Features.Donations;

/// <summary>
/// <c>charge.dispute.created|updated|closed|funds_reinstated</c>, through endive's whole lifecycle:
/// open (<c>needs_response</c>, <c>under_review</c>, <c>warning_*</c>) → <c>won</c>/<c>lost</c> →
/// appeal (<c>appeal_needs_response</c>, <c>appeal_under_review</c>) → <c>won</c>/<c>lost</c>.
/// While the dispute stands lost (appeal included) its amount is taken off the gift; a dispute won
/// after being lost gives the money back, so the gift is a gift again and its receipt is reinstated.
/// The dispute's newest event wins (<see cref="Data.Entities.Donation.DisputeEventAt"/>): a late
/// "created" after "closed" changes nothing.
/// </summary>
public sealed class ChargeDisputed(DonationLookup lookup, DonationLedger ledger, TimeProvider time, ILogger<ChargeDisputed> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } =
        ["charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed", "charge.dispute.funds_reinstated"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var dispute = (Dispute)stripeEvent.Data.Object;
        if (await lookup.ForChangeAsync(dispute.PaymentIntentId, dispute.ChargeId, ct) is not { } donation)
            return effects.Ignore(DonateFlowMetadata.NotOurs);

        var sameDispute = donation.StripeDisputeId == dispute.Id;
        if (sameDispute && DonationStatusRules.IsOlderDisputeEvent(donation, stripeEvent.Created, dispute.Status))
        {
            log.LogInformation("Dispute {DisputeId} is already {DisputeStatus}; ignoring an older {EventType} ({EventStatus})",
                dispute.Id, donation.DisputeStatus, stripeEvent.Type, dispute.Status);
            return StripeEventOutcome.Ignored;
        }

        // The dispute's amount is taken off the gift exactly while it stands lost. A lost dispute
        // without an amount is taken to cover the whole charge, as Stripe disputes do by default.
        var lostBefore = donation.LostDisputeAmount;
        donation.LostDisputeAmount = !DonationStatusRules.CountsAsLost(dispute.Status) ? 0
            : dispute.Amount > 0 ? dispute.Amount : donation.Amount;
        donation.StripeDisputeId = dispute.Id;
        donation.DisputeStatus = dispute.Status;
        donation.DisputeEventAt = stripeEvent.Created;
        DonationStatusRules.Apply(donation);
        donation.UpdatedAt = time.GetUtcNow().UtcDateTime;
        // A lost part leaves less given for the same benefits; a dispute won back restores it.
        if (donation.LostDisputeAmount != lostBefore) await ledger.RejudgeBenefitsAsync(donation, ct);
        effects.Raise(new DonationChanged(donation));
        log.LogInformation("Dispute {DisputeId} of donation {DonationId} is {DisputeStatus}: donation now {Status}",
            dispute.Id, donation.Id, dispute.Status, donation.Status);
        return StripeEventOutcome.Processed;
    }
}
