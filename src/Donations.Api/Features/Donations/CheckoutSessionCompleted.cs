using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Stripe;
using Donations.Data.Entities;
using Stripe;
using Stripe.Checkout;

namespace Donations.Api.Features.Donations;

/// <summary>
/// <c>checkout.session.completed</c> and <c>checkout.session.async_payment_succeeded</c>: a paid
/// session is a one-time gift (keyed by its PaymentIntent) or the first month of a monthly gift
/// (keyed by its first invoice, which <c>invoice.paid</c> describes too). An unpaid session
/// (bank debits) is remembered with its time (<see cref="DelayedCheckouts"/>) and waits for the
/// async event. A session the donate flow did not create (a shop sale,
/// a ticket, a Payment Link without the staff marker) is no gift at all.
/// </summary>
public sealed class CheckoutSessionCompleted(DonationLedger ledger, DelayedCheckouts delayed, ILogger<CheckoutSessionCompleted> log)
    : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } =
        ["checkout.session.completed", "checkout.session.async_payment_succeeded"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var session = (Session)stripeEvent.Data.Object;
        if (!DonateFlowMetadata.IsOurs(session.Metadata))
        {
            log.LogInformation("Checkout session {SessionId} (submit type {SubmitType}) is not a gift: {Reason}",
                session.Id, session.SubmitType, DonateFlowMetadata.NotOurs);
            return effects.Ignore(DonateFlowMetadata.NotOurs);
        }
        var (key, frequency) = session.Mode switch
        {
            "payment" when session.PaymentIntentId is { } pi => (SettledPayment.OneTimeKey(pi), DonationFrequency.OneTime),
            "subscription" when session.InvoiceId is { } invoice => (SettledPayment.InvoiceKey(invoice), GiftMetadata.From(session.Metadata).RecurringFrequency),
            _ => (null, default),
        };
        if (session.PaymentStatus != "paid")
        {
            log.LogInformation("Checkout session {SessionId} is {PaymentStatus}; waiting for its payment", session.Id, session.PaymentStatus);
            if (stripeEvent.Type != "checkout.session.completed" || session.PaymentStatus != "unpaid")
                return effects.Ignore($"the session's payment is {session.PaymentStatus}: no payment was made");
            // Processed after its settlement (Stripe does not promise order): the gift is dated already.
            if (key is null || await ledger.FindByKeyAsync(key, ct) is null) await delayed.RememberAsync(session.Id, stripeEvent.Created, ct);
            return StripeEventOutcome.Processed;
        }

        if (key is null || session.AmountTotal is not > 0 || session.Currency is null)
        {
            log.LogInformation("Checkout session {SessionId} (mode {Mode}) settled no payment", session.Id, session.Mode);
            return StripeEventOutcome.Ignored;
        }

        // A bank debit settles days after the donor paid: date it when they completed Checkout.
        // Should that event not have been seen (Stripe does not promise order), the session's
        // creation is the nearest the event carries. A card payment is dated when it completed.
        var receivedAt = stripeEvent.Type == "checkout.session.async_payment_succeeded"
            ? await delayed.TakeAsync(session.Id, ct) ?? (session.Created > DateTime.UnixEpoch ? session.Created : stripeEvent.Created)
            : stripeEvent.Created;
        var donation = await ledger.RecordAsync(new SettledPayment
        {
            SettlementKey = key,
            Amount = session.AmountTotal.Value,
            Currency = session.Currency,
            Frequency = frequency,
            ReceivedAt = receivedAt,
            Donor = new DonorIdentity(session.CustomerDetails?.Email ?? session.CustomerEmail, session.CustomerDetails?.Name,
                session.CustomerId, DonorIdentity.FormatAddress(session.CustomerDetails?.Address), session.CustomerDetails?.Address?.Country),
            Metadata = GiftMetadata.From(session.Metadata),
            CheckoutSessionId = session.Id,
            PaymentIntentId = session.PaymentIntentId,
            InvoiceId = session.InvoiceId,
            SubscriptionId = session.SubscriptionId,
        }, effects, ct);
        log.LogInformation("Checkout session {SessionId} recorded as donation {SettlementKey}", session.Id, donation.SettlementKey);
        return StripeEventOutcome.Processed;
    }
}
