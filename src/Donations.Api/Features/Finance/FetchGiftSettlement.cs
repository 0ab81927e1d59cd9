using Donations.Api.Features.Donations;
using Donations.Api.Features.Receipts;
using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Stripe;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Job: reads one gift's money movements from Stripe — the charge's balance transaction (fee,
/// net, settlement currency, exchange rate), all its refunds' and its disputes' — and records them.
/// Runs after the gift is recorded, never in the webhook request. The gift's refunded amount and
/// dispute status at the time are the "done" marker: a later refund or dispute makes it due again.
/// A lookup that fails is retried by <see cref="SweepGiftSettlements"/> with a growing delay.
/// Receipts also run it inline before issuing a foreign gift's first receipt (<see cref="IGiftSettlementReader"/>).
/// </summary>
public sealed class FetchGiftSettlement(
    DonationsDbContext db, IStripeClient stripe, InvoicePaymentLinks links, BalanceTransactionBook book, RowClaims rows,
    TimeProvider time, ILogger<FetchGiftSettlement> log) : IGiftSettlementReader
{
    [AutomaticRetry(Attempts = 0)] // the sweep tries again, with a delay that grows
    public Task RunAsync(long donationId) => ReadAsync(donationId, CancellationToken.None);

    /// <summary>Cancelling gives up on Stripe: the attempt is recorded, as a failure would be, for the sweep.</summary>
    public async Task<SettlementRead> ReadAsync(long donationId, CancellationToken ct)
    {
        var gift = await db.Donations.AsNoTracking().Where(d => d.Id == donationId)
            .Select(d => new { d.StripeChargeId, d.StripePaymentIntentId, d.StripeInvoiceId, d.RefundedAmount, d.DisputeStatus })
            .SingleOrDefaultAsync(ct);
        if (gift is null) return SettlementRead.Refused;
        var settlement = await db.GiftSettlements.FindAsync([donationId], ct);
        if (settlement is null)
        {
            // Receipts run this for a new foreign gift while the sweep may be leasing the same gift:
            // whichever inserts the row second works on the one stored.
            await rows.InsertUnlessPresentAsync(db, new GiftSettlement { DonationId = donationId }, ct);
            settlement = await db.GiftSettlements.SingleAsync(s => s.DonationId == donationId, ct);
        }
        if (settlement.CheckedAt is not null && settlement.CheckedRefundedAmount == gift.RefundedAmount
            && settlement.CheckedDisputeStatus == gift.DisputeStatus)
            return SettlementRead.Recorded;

        var now = time.GetUtcNow().UtcDateTime;
        var read = SettlementRead.Recorded;
        try
        {
            var chargeId = gift.StripeChargeId ?? await ChargeOfAsync(gift.StripePaymentIntentId, gift.StripeInvoiceId, ct)
                           ?? throw new InvalidOperationException("Stripe names no charge for this gift yet");
            var charge = await new ChargeService(stripe).GetAsync(chargeId,
                new ChargeGetOptions { Expand = ["balance_transaction", "refunds", "refunds.data.balance_transaction"] }, cancellationToken: ct);
            // With asynchronous capture Stripe adds the balance transaction a little after the
            // charge succeeds: until then the gift is not settled yet, and is asked about again.
            if (charge.BalanceTransaction is not { } paid)
                throw new NotSettledYetException();
            await book.RecordAsync(paid, donationId, null, ct);
            await foreach (var refund in RefundsAsync(charge, ct))
                if (refund.BalanceTransaction is { } refunded) await book.RecordAsync(refunded, donationId, null, ct);
            if (charge.Disputed)
                foreach (var dispute in (await new DisputeService(stripe).ListAsync(new DisputeListOptions { Charge = chargeId }, cancellationToken: ct)).Data)
                foreach (var moved in dispute.BalanceTransactions ?? [])
                    await book.RecordAsync(moved, donationId, null, ct);

            settlement.CheckedAt = now;
            settlement.CheckedRefundedAmount = gift.RefundedAmount;
            settlement.CheckedDisputeStatus = gift.DisputeStatus;
            settlement.Attempts = 0;
            settlement.NextAttemptAt = null;
            settlement.Error = null;
            log.LogInformation("Stripe's fees and net recorded for donation {DonationId} (charge {ChargeId})", donationId, chargeId);
        }
        catch (Exception e) when (e is StripeException or HttpRequestException or InvalidOperationException or OperationCanceledException)
        {
            read = Classify(e);
            settlement.Attempts++;
            settlement.NextAttemptAt = now + RetryDelay(settlement.Attempts);
            settlement.Error = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
            log.LogWarning("Stripe's fees for donation {DonationId} could not be read (attempt {Attempt}): {Error}",
                donationId, settlement.Attempts, settlement.Error);
        }
        await db.SaveChangesAsync(CancellationToken.None);
        return read;
    }

    /// <summary>Whether a failed read may succeed a little later (a receipt is held for it) or not.</summary>
    private static SettlementRead Classify(Exception e) => e switch
    {
        NotSettledYetException => SettlementRead.NotSettledYet,
        // Stripe answered and said no (no such charge, bad key): asking again in minutes changes nothing.
        StripeException { HttpStatusCode: var status } when (int)status is >= 400 and < 500 and not 409 and not 429 => SettlementRead.Refused,
        // No charge named by the gift, its payment intent or its invoice.
        InvalidOperationException => SettlementRead.Refused,
        _ => SettlementRead.Unavailable,
    };

    private sealed class NotSettledYetException() : InvalidOperationException("Stripe has not settled the charge yet (no balance transaction)");

    /// <summary>1, 2, 4 … minutes, at most a day: a gift whose charge Stripe does not show yet is not asked about every minute.</summary>
    public static TimeSpan RetryDelay(int attempts) => TimeSpan.FromMinutes(Math.Min(Math.Pow(2, Math.Min(attempts - 1, 11)), 1440));

    /// <summary>
    /// Every refund of the charge. Since API version 2022-11-15 a charge carries its refunds only
    /// when asked to (expanded), and then at most ten; when they are missing from a refunded charge,
    /// or there are more (<c>has_more</c>), Stripe's refunds list is read page by page instead.
    /// </summary>
    private async IAsyncEnumerable<Refund> RefundsAsync(Charge charge, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (charge.Refunds is { HasMore: false } embedded || (charge.Refunds is null && charge.AmountRefunded == 0))
        {
            foreach (var refund in charge.Refunds?.Data ?? []) yield return refund;
            yield break;
        }
        var options = new RefundListOptions { Charge = charge.Id, Limit = 100, Expand = ["data.balance_transaction"] };
        await foreach (var refund in new RefundService(stripe).ListAutoPagingAsync(options, cancellationToken: ct))
            yield return refund;
    }

    private async Task<string?> ChargeOfAsync(string? paymentIntentId, string? invoiceId, CancellationToken ct)
    {
        if (paymentIntentId is null && invoiceId is not null && await links.ForInvoiceAsync(invoiceId, ct) is { } link)
        {
            if (link.ChargeId is not null) return link.ChargeId;
            paymentIntentId = link.PaymentIntentId;
        }
        if (paymentIntentId is null) return null;
        var intent = await new PaymentIntentService(stripe).GetAsync(paymentIntentId, cancellationToken: ct);
        return intent.LatestChargeId;
    }
}
