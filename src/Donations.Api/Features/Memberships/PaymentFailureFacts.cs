using Donations.Api.Features.Donations;
using Stripe;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// What the payment-failed email says beyond the event: whether the invoice is still unpaid,
/// when Stripe will try again (<c>next_payment_attempt</c>), and why the bank declined (the
/// <c>last_payment_error</c> of the invoice's PaymentIntent, found through the Invoice Payments
/// API since an invoice no longer names it). Asked from the email job, at the pinned API version,
/// never from the webhook request. An invoice or payment Stripe does not know leaves the fact
/// unknown and the email general; an unreachable Stripe throws, and the job tries again.
/// </summary>
public sealed class PaymentFailureFacts(IStripeClient stripe, InvoicePaymentLinks links, ILogger<PaymentFailureFacts> log)
{
    public sealed record Facts(bool Paid, DateTime? NextAttempt, string? DeclineCode);

    public async Task<Facts> ForInvoiceAsync(string invoiceId, CancellationToken ct)
    {
        Invoice invoice;
        try
        {
            invoice = await new InvoiceService(stripe).GetAsync(invoiceId, cancellationToken: ct);
        }
        catch (StripeException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            log.LogWarning("Stripe does not know invoice {InvoiceId}; the payment-failed email stays general", invoiceId);
            return new Facts(false, null, null);
        }
        if (invoice.Status == "paid") return new Facts(true, null, null);
        return new Facts(false, invoice.NextPaymentAttempt, await DeclineCodeAsync(invoiceId, ct));
    }

    private async Task<string?> DeclineCodeAsync(string invoiceId, CancellationToken ct)
    {
        if (await links.ForInvoiceAsync(invoiceId, ct) is not { PaymentIntentId: { } intentId }) return null;
        try
        {
            var intent = await new PaymentIntentService(stripe).GetAsync(intentId, cancellationToken: ct);
            var error = intent.LastPaymentError;
            return error?.DeclineCode is { Length: > 0 } decline ? decline : error?.Code;
        }
        catch (StripeException e) when (e.HttpStatusCode == System.Net.HttpStatusCode.NotFound)
        {
            log.LogWarning("Stripe does not know payment {PaymentIntentId} of invoice {InvoiceId}", intentId, invoiceId);
            return null;
        }
    }
}
