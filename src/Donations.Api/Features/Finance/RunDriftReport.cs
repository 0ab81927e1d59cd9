using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Observability;
using Donations.Api.Infrastructure.Stripe;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Job (nightly, and on demand by Admin): walks Stripe's own objects for <c>Finance:DriftWindow</c>
/// — charges, paid invoices, payouts, not the Events API, which keeps only 30 days — and
/// compares them with the books. Payments of the last <c>Finance:DriftSettleTime</c> are left out
/// (their webhooks may be on their way). The result is kept as a report of items and published
/// as a metric; an empty report is the "books agree with Stripe" state.
/// </summary>
public sealed class RunDriftReport(
    DonationsDbContext db, IStripeClient stripe, SyncPayout payouts, IOptionsMonitor<FinanceOptions> options,
    DonationsMetrics metrics, TimeProvider time, ILogger<RunDriftReport> log)
{
    public const string RecurringJobId = "finance-drift-report";
    private const int PageSize = 100;
    // Stripe's charge is created a little before the event that records the gift; look this much further back.
    private static readonly TimeSpan Margin = TimeSpan.FromDays(2);
    // Charges whose disputes CompareDisputesAsync compared: the charge's own "disputed" flag adds nothing.
    private readonly HashSet<string> _disputed = new(StringComparer.Ordinal);

    private sealed record Gift(long Id, long Amount, long ChargeRefundedAmount, string? DisputeId, string? DisputeStatus, long LostDisputeAmount,
        string? ChargeId, string? PaymentIntentId, string? InvoiceId);

    [DisableConcurrentExecution(60 * 60)]
    public async Task<long> RunAsync(string? requestedBy)
    {
        var ct = CancellationToken.None;
        var o = options.CurrentValue;
        var now = time.GetUtcNow().UtcDateTime;
        var report = new DriftReport { StartedAt = now, WindowFrom = now - o.DriftWindow, WindowTo = now - o.DriftSettleTime, RequestedBy = requestedBy };
        db.DriftReports.Add(report);
        await db.SaveChangesAsync(ct);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await CompareDisputesAsync(report, ct);
            await CompareChargesAsync(report, seen, ct);
            await CompareInvoicesAsync(report, seen, ct);
            await FindGiftsWithoutPaymentAsync(report, seen, ct);
            await ComparePayoutsAsync(report, ct);
        }
        catch (Exception e) when (e is StripeException or HttpRequestException)
        {
            report.Error = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
            log.LogError(e, "Drift report {ReportId} could not walk Stripe", report.Id);
        }
        report.ItemCount = report.Items.Count;
        report.FinishedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        if (report.Error is null)
            metrics.Drift(DriftKinds.All.ToDictionary(k => k, k => (long)report.Items.Count(i => i.Kind == k)));
        log.Log(report.ItemCount > 0 ? LogLevel.Warning : LogLevel.Information,
            "Drift report {ReportId} from {From:o} to {To:o}: {Count} items", report.Id, report.WindowFrom, report.WindowTo, report.ItemCount);
        return report.Id;
    }

    private async Task CompareChargesAsync(DriftReport report, HashSet<string> seen, CancellationToken ct)
    {
        var query = new ChargeListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = report.WindowFrom - Margin, LessThan = report.WindowTo },
            Limit = PageSize,
            Expand = ["data.payment_intent"],
        };
        var page = new List<Charge>(PageSize);
        await foreach (var charge in new ChargeService(stripe).ListAutoPagingAsync(query, cancellationToken: ct))
        {
            if (charge.Status != "succeeded" || !charge.Paid) continue;
            seen.Add(charge.Id);
            if (charge.PaymentIntentId is { } pi) seen.Add(pi);
            page.Add(charge);
            if (page.Count == PageSize) await CompareChargePageAsync(report, page, ct);
        }
        await CompareChargePageAsync(report, page, ct);
    }

    private async Task CompareChargePageAsync(DriftReport report, List<Charge> page, CancellationToken ct)
    {
        var chargeIds = page.Select(c => c.Id).ToList();
        var intentIds = page.Select(c => c.PaymentIntentId).OfType<string>().ToList();
        var gifts = await Gifts(db.Donations.Where(d => chargeIds.Contains(d.StripeChargeId!) || intentIds.Contains(d.StripePaymentIntentId!)))
            .ToListAsync(ct);
        foreach (var charge in page)
        {
            var gift = gifts.FirstOrDefault(g => g.ChargeId == charge.Id) ?? gifts.FirstOrDefault(g => g.PaymentIntentId == charge.PaymentIntentId);
            var paid = $"{Money.ToMajorString(charge.Amount, charge.Currency)} {charge.Currency.ToUpperInvariant()} on {charge.Created:yyyy-MM-dd}";
            if (gift is null)
            {
                // A monthly gift's payment intent carries no metadata: its invoice is compared instead.
                if (charge.Created >= report.WindowFrom && DonateFlowMetadata.IsOurs(charge.PaymentIntent?.Metadata))
                    Add(report, DriftKinds.MissingGift, charge.Id, null, $"Stripe charged {paid} through the donate page; no gift is recorded.");
                continue;
            }
            if (gift.Amount != charge.Amount)
                Add(report, DriftKinds.AmountMismatch, charge.Id, gift.Id,
                    $"Stripe charged {paid}; the gift says {Money.ToMajorString(gift.Amount, charge.Currency)}.");
            // Refunds are compared alone: the books keep a lost dispute apart from them, as Stripe does.
            if (gift.ChargeRefundedAmount != charge.AmountRefunded)
                Add(report, DriftKinds.RefundMismatch, charge.Id, gift.Id,
                    $"Stripe has refunded {Money.ToMajorString(charge.AmountRefunded, charge.Currency)}; the gift says {Money.ToMajorString(gift.ChargeRefundedAmount, charge.Currency)}.");
            // A dispute opened before the window: its status is compared by CompareDisputesAsync when it is in it.
            if (charge.Disputed && gift.DisputeId is null && !_disputed.Contains(charge.Id))
                Add(report, DriftKinds.DisputeMismatch, charge.Id, gift.Id, "Stripe shows the charge disputed; the gift records no dispute.");
        }
        page.Clear();
    }

    /// <summary>
    /// Each dispute Stripe opened in the window against the gift's: its status, and the amount the
    /// books take off the gift while it stands lost (appeal included). A dispute Stripe has as lost or
    /// won that the books have otherwise is money the books count wrongly.
    /// </summary>
    private async Task CompareDisputesAsync(DriftReport report, CancellationToken ct)
    {
        var query = new DisputeListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = report.WindowFrom - Margin, LessThan = report.WindowTo },
            Limit = PageSize,
        };
        await foreach (var dispute in new DisputeService(stripe).ListAutoPagingAsync(query, cancellationToken: ct))
        {
            var gift = await Gifts(db.Donations.Where(d => d.StripeChargeId == dispute.ChargeId
                    || (dispute.PaymentIntentId != null && d.StripePaymentIntentId == dispute.PaymentIntentId)))
                .FirstOrDefaultAsync(ct);
            if (gift is null) continue; // not a gift, or a missing one (reported with its charge)
            _disputed.Add(dispute.ChargeId);
            var currency = dispute.Currency;
            if (gift.DisputeStatus != dispute.Status)
            {
                Add(report, DriftKinds.DisputeMismatch, dispute.ChargeId, gift.Id,
                    $"Stripe has dispute {dispute.Id} {dispute.Status} ({Money.ToMajorString(dispute.Amount, currency)} {currency.ToUpperInvariant()}); "
                    + $"the books have it {gift.DisputeStatus ?? "not at all"}.");
                continue;
            }
            var lost = DonationStatusRules.CountsAsLost(dispute.Status) ? dispute.Amount > 0 ? dispute.Amount : gift.Amount : 0;
            if (gift.LostDisputeAmount != lost)
                Add(report, DriftKinds.DisputeMismatch, dispute.ChargeId, gift.Id,
                    $"Stripe's {dispute.Status} dispute {dispute.Id} takes {Money.ToMajorString(lost, currency)} off the gift; "
                    + $"the books take {Money.ToMajorString(gift.LostDisputeAmount, currency)}.");
        }
    }

    private async Task CompareInvoicesAsync(DriftReport report, HashSet<string> seen, CancellationToken ct)
    {
        var query = new InvoiceListOptions
        {
            Status = "paid",
            Created = new DateRangeOptions { GreaterThanOrEqual = report.WindowFrom - Margin, LessThan = report.WindowTo },
            Limit = PageSize,
        };
        await foreach (var invoice in new InvoiceService(stripe).ListAutoPagingAsync(query, cancellationToken: ct))
        {
            if (invoice.AmountPaid <= 0 || invoice.Parent?.SubscriptionDetails is not { } subscription) continue;
            seen.Add(invoice.Id);
            var key = "in:" + invoice.Id;
            var gift = await Gifts(db.Donations.Where(d => d.SettlementKey == key || d.StripeInvoiceId == invoice.Id)).FirstOrDefaultAsync(ct);
            var paid = $"{Money.ToMajorString(invoice.AmountPaid, invoice.Currency)} {invoice.Currency.ToUpperInvariant()} on {invoice.Created:yyyy-MM-dd}";
            if (gift is null)
            {
                if (invoice.Created >= report.WindowFrom && DonateFlowMetadata.IsOurs(subscription.Metadata))
                    Add(report, DriftKinds.MissingGift, invoice.Id, null, $"Stripe collected {paid} for a monthly gift; no gift is recorded.");
            }
            else if (gift.Amount != invoice.AmountPaid)
                Add(report, DriftKinds.AmountMismatch, invoice.Id, gift.Id,
                    $"Stripe collected {paid}; the gift says {Money.ToMajorString(gift.Amount, invoice.Currency)}.");
        }
    }

    private async Task FindGiftsWithoutPaymentAsync(DriftReport report, HashSet<string> seen, CancellationToken ct)
    {
        var gifts = Gifts(db.Donations.AsNoTracking().Where(d => d.ReceivedAt >= report.WindowFrom && d.ReceivedAt < report.WindowTo)
            .OrderBy(d => d.Id)).AsAsyncEnumerable();
        await foreach (var gift in gifts.WithCancellation(ct))
        {
            if ((gift.ChargeId is { } c && seen.Contains(c)) || (gift.PaymentIntentId is { } pi && seen.Contains(pi))
                || (gift.InvoiceId is { } inv && seen.Contains(inv)))
                continue;
            Add(report, DriftKinds.GiftWithoutPayment, gift.ChargeId ?? gift.PaymentIntentId ?? gift.InvoiceId, gift.Id,
                "Stripe lists no paid charge or invoice for this gift.");
        }
    }

    private async Task ComparePayoutsAsync(DriftReport report, CancellationToken ct)
    {
        var query = new PayoutListOptions
        {
            Status = "paid",
            Created = new DateRangeOptions { GreaterThanOrEqual = report.WindowFrom, LessThan = report.WindowTo },
            Limit = PageSize,
        };
        var ids = new List<string>();
        await foreach (var payout in new PayoutService(stripe).ListAutoPagingAsync(query, cancellationToken: ct)) ids.Add(payout.Id);
        foreach (var id in ids)
        {
            await payouts.RunAsync(id);
            var p = await PayoutTotals.Query(db, null, null, id).SingleOrDefaultAsync(ct);
            if (p is not null && p.BankAmount != p.Net)
                Add(report, DriftKinds.PayoutMismatch, id, null,
                    $"Payout of {Money.ToMajorString(p.BankAmount, p.Currency)} {p.Currency.ToUpperInvariant()}; its listed transactions add up to "
                    + $"{Money.ToMajorString(p.Net, p.Currency)} ({p.Gifts} gifts, {p.Unmatched} not from gifts).");
            await ComparePayoutWithGiftsAsync(report, id, ct);
        }
    }

    /// <summary>
    /// Against the books: each gift this payout paid out must be recorded at the amount Stripe
    /// charged (compared where the charge settled in the gift's own currency), so a payout whose
    /// sum of gifts differs from the gifts recorded shows, even when Stripe's own figures agree.
    /// </summary>
    private async Task ComparePayoutWithGiftsAsync(DriftReport report, string payoutId, CancellationToken ct)
    {
        var differing = await db.StripeBalanceTransactions.AsNoTracking()
            .Where(t => t.PayoutId == payoutId && t.DonationId != null && PayoutTotals.ChargeTypes.Contains(t.Type) && t.ExchangeRate == null)
            .Join(db.Donations, t => t.DonationId, d => d.Id, (t, d) => new { t.Amount, t.Currency, GiftId = d.Id, Recorded = d.Amount, GiftCurrency = d.Currency })
            .Where(x => x.Currency == x.GiftCurrency && x.Amount != x.Recorded)
            .ToListAsync(ct);
        foreach (var x in differing)
            Add(report, DriftKinds.PayoutMismatch, payoutId, x.GiftId,
                $"Payout {payoutId} paid out {Money.ToMajorString(x.Amount, x.Currency)} {x.Currency.ToUpperInvariant()} for this gift; "
                + $"the books record {Money.ToMajorString(x.Recorded, x.GiftCurrency)}.");
    }

    private static IQueryable<Gift> Gifts(IQueryable<Donation> donations) => donations.Select(d =>
        new Gift(d.Id, d.Amount, d.ChargeRefundedAmount, d.StripeDisputeId, d.DisputeStatus, d.LostDisputeAmount,
            d.StripeChargeId, d.StripePaymentIntentId, d.StripeInvoiceId));

    private static void Add(DriftReport report, string kind, string? stripeObject, long? donationId, string detail) =>
        report.Items.Add(new DriftItem { Kind = kind, StripeObject = stripeObject, DonationId = donationId, Detail = detail });
}
