using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Donations;

/// <summary>Finds the donation a charge paid for, as refunds and disputes need.</summary>
public sealed class DonationLookup(DonationsDbContext db, DonationLedger ledger, InvoicePaymentLinks links)
{
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
