using Donations.Api.Infrastructure.Stripe;
using Stripe;

namespace Donations.Api.Features.Donations;

/// <summary>
/// Whether a payment that no donation records yet was made through the donate flow: a refund or
/// dispute arriving before its gift waits for it, one of a shop sale is no business of ours.
/// Charges carry no metadata of their own, so Stripe is asked (at the pinned API version): the
/// payment intent carries the one-time gift's metadata, and a monthly payment's invoice carries
/// its subscription's. Called from jobs only.
/// </summary>
public sealed class PaymentOrigin(IStripeClient stripe, InvoicePaymentLinks links, ILogger<PaymentOrigin> log)
{
    /// <summary>True or false when Stripe said; null when it could not be asked or does not know the payment yet.</summary>
    public async Task<bool?> IsOursAsync(string? paymentIntentId, CancellationToken ct)
    {
        // Checkout always pays through a payment intent; a bare charge was made some other way.
        if (paymentIntentId is null) return false;
        try
        {
            var intent = await new PaymentIntentService(stripe).GetAsync(paymentIntentId, cancellationToken: ct);
            if (DonateFlowMetadata.IsOurs(intent.Metadata)) return true;
            if (await links.ForPaymentIntentOrThrowAsync(paymentIntentId, ct) is not { } link) return false;
            var invoice = await new InvoiceService(stripe).GetAsync(link.InvoiceId, cancellationToken: ct);
            return DonateFlowMetadata.IsOurs(invoice.Parent?.SubscriptionDetails?.Metadata);
        }
        catch (Exception e) when (e is StripeException or HttpRequestException or TaskCanceledException)
        {
            log.LogWarning(e, "Could not tell whether payment intent {PaymentIntentId} came from the donate page", paymentIntentId);
            return null;
        }
    }
}
