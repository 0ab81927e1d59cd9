using Donations.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using Stripe;

namespace Donations.Api.Features.Donations;

/// <summary>
/// Since the 2025 "basil" changes an invoice no longer names its PaymentIntent and a charge no
/// longer names its invoice; Stripe's Invoice Payments API links the two. Called from jobs only.
/// A lookup that fails answers null: the caller records what it knows and carries on.
/// </summary>
public sealed class InvoicePaymentLinks(IStripeClient stripe, IOptionsMonitor<StripeOptions> options, ILogger<InvoicePaymentLinks> log)
{
    /// <summary><paramref name="StartedAt"/>: when the payment was attempted (a bank debit settles days later); null if unknown.</summary>
    public sealed record Payment(string InvoiceId, string? PaymentIntentId, string? ChargeId, DateTime? StartedAt = null);

    public Task<Payment?> ForInvoiceAsync(string invoiceId, CancellationToken ct) =>
        FindAsync(new InvoicePaymentListOptions { Invoice = invoiceId, Limit = 10 }, invoiceId, ct);

    public Task<Payment?> ForPaymentIntentAsync(string paymentIntentId, CancellationToken ct) =>
        FindAsync(ByPaymentIntent(paymentIntentId), paymentIntentId, ct);

    /// <summary>The payment that paid an invoice, or null if none yet; throws when Stripe cannot be asked.</summary>
    public Task<Payment?> ForInvoiceOrThrowAsync(string invoiceId, CancellationToken ct) =>
        ListAsync(new InvoicePaymentListOptions { Invoice = invoiceId, Limit = 10 }, ct);

    /// <summary>The invoice a payment intent paid, or null if none; throws when Stripe cannot be asked.</summary>
    public Task<Payment?> ForPaymentIntentOrThrowAsync(string paymentIntentId, CancellationToken ct) =>
        ListAsync(ByPaymentIntent(paymentIntentId), ct);

    private static InvoicePaymentListOptions ByPaymentIntent(string paymentIntentId) => new()
    {
        Payment = new InvoicePaymentPaymentOptions { Type = "payment_intent", PaymentIntent = paymentIntentId },
        Limit = 10,
    };

    private async Task<Payment?> FindAsync(InvoicePaymentListOptions query, string about, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(options.CurrentValue.SecretKey)) return null;
        try
        {
            return await ListAsync(query, ct);
        }
        catch (Exception e) when (e is StripeException or HttpRequestException or TaskCanceledException)
        {
            log.LogWarning(e, "Looking up the invoice payment of {StripeId} failed", about);
            return null;
        }
    }

    private async Task<Payment?> ListAsync(InvoicePaymentListOptions query, CancellationToken ct)
    {
        var list = await new InvoicePaymentService(stripe).ListAsync(query, cancellationToken: ct);
        var paid = list.Data.FirstOrDefault(p => p.Status == "paid") ?? list.Data.FirstOrDefault();
        return paid is null ? null : new Payment(paid.InvoiceId, paid.Payment?.PaymentIntentId, paid.Payment?.ChargeId,
            paid.Created > DateTime.UnixEpoch ? paid.Created : null);
    }
}
