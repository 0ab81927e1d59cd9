using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// <c>invoice.payment_failed</c> on a renewal: the membership is past due until a retry succeeds
/// (Stripe then sends <c>invoice.paid</c> and <c>customer.subscription.updated</c>). A failed
/// first invoice leaves the subscription "incomplete", which its own events report. Older than
/// the state already applied, or for a membership not known yet: nothing to do here, since the
/// subscription's own events carry the same status.
/// </summary>
public sealed class InvoicePaymentFailed(DonationsDbContext db, TimeProvider time, ILogger<InvoicePaymentFailed> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = ["invoice.payment_failed"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var invoice = (Invoice)stripeEvent.Data.Object;
        var subscriptionId = invoice.Parent?.SubscriptionDetails?.SubscriptionId;
        if (subscriptionId is null || invoice.BillingReason == "subscription_create") return StripeEventOutcome.Ignored;

        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.StripeSubscriptionId == subscriptionId, ct);
        // The donor hears about every failed invoice once (not once per retry), even when this
        // event is older than the state applied: the email job checks the invoice is still unpaid.
        if (membership is not null && membership.Status != "canceled") effects.Raise(new RenewalFailed(membership, invoice.Id, stripeEvent.Created));
        if (membership is null || stripeEvent.Created < membership.LastEventAt
            || membership.Status is not ("active" or "past_due" or "trialing"))
        {
            log.LogInformation("Invoice {InvoiceId} failed (attempt {Attempt}); membership of {SubscriptionId} left as it is",
                invoice.Id, invoice.AttemptCount, subscriptionId);
            return StripeEventOutcome.Ignored;
        }

        membership.Status = "past_due";
        membership.LastEventAt = stripeEvent.Created;
        membership.UpdatedAt = time.GetUtcNow().UtcDateTime;
        log.LogInformation("Invoice {InvoiceId} failed (attempt {Attempt}, next {NextAttempt:o}); membership of {SubscriptionId} is past due",
            invoice.Id, invoice.AttemptCount, invoice.NextPaymentAttempt, subscriptionId);
        return StripeEventOutcome.Processed;
    }
}
