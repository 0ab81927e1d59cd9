using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Stripe;
using Donations.Data.Entities;
using Stripe;

namespace Donations.Api.Features.Donations;

/// <summary>
/// <c>invoice.paid</c>: one month of a monthly gift (the first, <c>subscription_create</c>, is
/// the same payment as its checkout session; renewals are <c>subscription_cycle</c>). The
/// invoice's amount and paid time are authoritative. Its PaymentIntent and charge come from
/// <c>invoice.payments</c> when the payload includes them, else from the Invoice Payments API, so
/// that a later refund or dispute of the charge finds this donation.
/// </summary>
public sealed class InvoicePaid(DonationLedger ledger, InvoicePaymentLinks links, ILogger<InvoicePaid> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = ["invoice.paid"];

    public async Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var invoice = (Invoice)stripeEvent.Data.Object;
        var subscriptionId = invoice.Parent?.SubscriptionDetails?.SubscriptionId;
        // The subscription's metadata as of the invoice: a print subscription or any other
        // subscription created elsewhere lacks the donate flow's marker.
        if (subscriptionId is not null && !DonateFlowMetadata.IsOurs(invoice.Parent?.SubscriptionDetails?.Metadata))
        {
            log.LogInformation("Invoice {InvoiceId} of subscription {SubscriptionId} is not a gift: {Reason}",
                invoice.Id, subscriptionId, DonateFlowMetadata.NotOurs);
            return effects.Ignore(DonateFlowMetadata.NotOurs);
        }
        if (subscriptionId is null || invoice.AmountPaid <= 0)
        {
            log.LogInformation("Invoice {InvoiceId} ({BillingReason}) is not a paid month of a monthly gift", invoice.Id, invoice.BillingReason);
            return StripeEventOutcome.Ignored;
        }

        var key = SettledPayment.InvoiceKey(invoice.Id);
        var (paymentIntentId, chargeId, paymentStartedAt) = PaymentOf(invoice);
        // Webhooks leave the invoice's payments out (an includable field): Stripe's Invoice Payments
        // API names the payment and when it started, unless the gift already knows its payment.
        if (paymentIntentId is null && (await ledger.FindByKeyAsync(key, ct))?.StripePaymentIntentId is null
            && await links.ForInvoiceAsync(invoice.Id, ct) is { } link)
            (paymentIntentId, chargeId, paymentStartedAt) = (link.PaymentIntentId, link.ChargeId, paymentStartedAt ?? link.StartedAt);

        var metadata = GiftMetadata.From(invoice.Parent?.SubscriptionDetails?.Metadata);
        await ledger.RecordAsync(new SettledPayment
        {
            SettlementKey = key,
            Amount = invoice.AmountPaid,
            Currency = invoice.Currency,
            Frequency = metadata.RecurringFrequency,
            // When the donor's payment started (a bank debit settles days later), else when it was paid.
            ReceivedAt = paymentStartedAt ?? invoice.StatusTransitions?.PaidAt ?? stripeEvent.Created,
            IsAuthoritative = true,
            Donor = new DonorIdentity(invoice.CustomerEmail, invoice.CustomerName, invoice.CustomerId,
                DonorIdentity.FormatAddress(invoice.CustomerAddress), invoice.CustomerAddress?.Country),
            Metadata = metadata,
            PaymentIntentId = paymentIntentId,
            ChargeId = chargeId,
            InvoiceId = invoice.Id,
            SubscriptionId = subscriptionId,
        }, effects, ct);
        return StripeEventOutcome.Processed;
    }

    private static (string? PaymentIntentId, string? ChargeId, DateTime? StartedAt) PaymentOf(Invoice invoice)
    {
        var payments = invoice.Payments?.Data ?? [];
        var paid = payments.FirstOrDefault(p => p.Status == "paid") ?? payments.FirstOrDefault();
        // An invoice payment without "created" deserialises to the epoch or DateTime's default: unknown.
        var started = paid?.Created is { } created && created > DateTime.UnixEpoch ? created : (DateTime?)null;
        return (paid?.Payment?.PaymentIntentId, paid?.Payment?.ChargeId, started);
    }
}
