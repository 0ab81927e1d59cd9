using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Donations;

/// <summary>Finds the donation a charge paid for, as refunds and disputes need.</summary>
public sealed class DonationLookup(DonationsDbContext db, DonationLedger ledger, InvoicePaymentLinks links, PaymentOrigin origin)
{
    /// <summary>
    /// The donation a refund or dispute changes; null when the payment is not one of ours (the
    /// event is then ignored). A payment of ours not recorded yet makes the event wait for it.
    /// </summary>
    public async Task<Donation?> ForChangeAsync(string? paymentIntentId, string? chargeId, CancellationToken ct)
    {
        if (await ByPaymentAsync(paymentIntentId, chargeId, ct) is { } donation) return donation;
        if (await origin.IsOursAsync(paymentIntentId, ct) == false) return null;
        throw new StripeEventNotReadyException($"the donation paid by {paymentIntentId ?? chargeId}");
    }

    public async Task<Donation?> ByPaymentAsync(string? paymentIntentId, string? chargeId, CancellationToken ct)
    {
        Donation? donation = null;
        if (paymentIntentId is not null)
            donation = await ledger.FindByKeyAsync(SettledPayment.OneTimeKey(paymentIntentId), ct)
                       ?? await db.Donations.FirstOrDefaultAsync(d => d.StripePaymentIntentId == paymentIntentId, ct);
        if (donation is null && chargeId is not null)
            donation = await db.Donations.FirstOrDefaultAsync(d => d.StripeChargeId == chargeId, ct);
        // A monthly gift recorded before its PaymentIntent was known: ask Stripe which invoice it paid.
        if (donation is null && paymentIntentId is not null
            && await links.ForPaymentIntentAsync(paymentIntentId, ct) is { } link)
            donation = await ledger.FindByKeyAsync(SettledPayment.InvoiceKey(link.InvoiceId), ct);
        if (donation is not null)
        {
            donation.StripePaymentIntentId ??= paymentIntentId;
            donation.StripeChargeId ??= chargeId;
        }
        return donation;
    }
}
