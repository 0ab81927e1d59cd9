using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Stripe;
using Stripe;
using Stripe.Checkout;

namespace Donations.Api.Features.Donations;

/// <summary>
/// <c>checkout.session.async_payment_failed</c>: a delayed payment (bank debit) bounced, so no
/// gift was made. Nothing is recorded beyond the inbox row, and the session's completion time is
/// forgotten; the log says which session.
/// </summary>
public sealed class CheckoutAsyncPaymentFailed(DelayedCheckouts delayed, ILogger<CheckoutAsyncPaymentFailed> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = ["checkout.session.async_payment_failed"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var session = (Session)stripeEvent.Data.Object;
        if (!DonateFlowMetadata.IsOurs(session.Metadata)) return effects.Ignore(DonateFlowMetadata.NotOurs);
        await delayed.TakeAsync(session.Id, ct);
        log.LogInformation("Delayed payment of checkout session {SessionId} failed; no donation recorded", session.Id);
        return StripeEventOutcome.Processed;
    }
}
