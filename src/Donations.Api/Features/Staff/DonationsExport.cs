using System.Globalization;
using System.Security.Claims;
using Donations.Api.Features.Donations;
using Donations.Api.Infrastructure;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Staff;

/// <summary>
/// GET /api/finance/donations.csv?from=&amp;to= — every donation received in [from, to) (UTC; a
/// bare date means its UTC midnight; both optional), oldest first, with the columns DESIGN.md
/// fixes. Amounts are major units with '.' ("500" for 500 JPY), refunds included.
/// </summary>
internal static class DonationsExport
{
    public static readonly string[] Columns =
    [
        "donation_id", "received_at", "donor_email", "donor_name", "amount", "currency", "frequency", "status",
        "refunded_amount", "fee_covered", "receipt_number", "stripe_payment_intent", "stripe_charge",
        "stripe_invoice", "stripe_subscription",
        "fee_amount", "net_amount", "settlement_currency", "settlement_amount", "exchange_rate", "payout_id",
        "benefits_value", "deductible_amount", "campaign", "source",
        "utm_medium", "utm_content", "utm_term",
    ];

    private static readonly string[] ChargeTypes = ["charge", "payment"];

    public static Results<CsvResult, ProblemHttpResult> Export(
        HttpContext http, string? from, string? to, DonationsDbContext db, ILoggerFactory logs)
    {
        if (ExportRange.Invalid(from, to, out var fromUtc, out var toUtc) is { } problem) return problem;

        var query = db.Donations.AsNoTracking();
        if (fromUtc is { } f) query = query.Where(d => d.ReceivedAt >= f);
        if (toUtc is { } t) query = query.Where(d => d.ReceivedAt < t);
        var rows = query
            .OrderBy(d => d.ReceivedAt).ThenBy(d => d.Id)
            .Select(d => new
            {
                d.Id, d.ReceivedAt, d.Donor!.Email, d.Donor.Name, d.Amount, d.Currency, d.Frequency, d.Status,
                d.RefundedAmount, d.FeeCovered,
                ReceiptNumber = d.Receipts.Where(r => r.Kind == ReceiptKind.Original).OrderBy(r => r.Id).Select(r => r.Number).FirstOrDefault(),
                d.StripePaymentIntentId, d.StripeChargeId, d.StripeInvoiceId, d.StripeSubscriptionId,
                // Stripe's side, from the gift's balance transactions (charge, refunds, disputes) once read.
                Fee = db.StripeBalanceTransactions.Where(t => t.DonationId == d.Id).Sum(t => (long?)t.Fee),
                Net = db.StripeBalanceTransactions.Where(t => t.DonationId == d.Id).Sum(t => (long?)t.Net),
                SettlementCurrency = db.StripeBalanceTransactions.Where(t => t.DonationId == d.Id && ChargeTypes.Contains(t.Type))
                    .OrderBy(t => t.CreatedAt).Select(t => t.Currency).FirstOrDefault(),
                SettlementAmount = db.StripeBalanceTransactions.Where(t => t.DonationId == d.Id && ChargeTypes.Contains(t.Type))
                    .OrderBy(t => t.CreatedAt).Select(t => (long?)t.Amount).FirstOrDefault(),
                ExchangeRate = db.StripeBalanceTransactions.Where(t => t.DonationId == d.Id && ChargeTypes.Contains(t.Type))
                    .OrderBy(t => t.CreatedAt).Select(t => t.ExchangeRate).FirstOrDefault(),
                PayoutId = db.StripeBalanceTransactions.Where(t => t.DonationId == d.Id && ChargeTypes.Contains(t.Type))
                    .OrderBy(t => t.CreatedAt).Select(t => t.PayoutId).FirstOrDefault(),
                d.BenefitsValue, d.BenefitsTreatment, d.Campaign, d.Source, d.UtmMedium, d.UtmContent, d.UtmTerm,
                d.DisputeStatus, d.LostDisputeAmount,
            })
            .AsAsyncEnumerable();

        logs.CreateLogger(typeof(DonationsExport)).LogInformation("Staff {StaffId} exported donations from {From} to {To}",
            http.User.FindFirstValue(ClaimTypes.NameIdentifier), fromUtc, toUtc);
        return new CsvResult(ExportRange.FileName("donations", fromUtc, toUtc), Columns, async (csv, ct) =>
        {
            await foreach (var d in rows.WithCancellation(ct))
            {
                csv.Number(d.Id).Value(CsvValues.Timestamp(d.ReceivedAt)).Text(d.Email).Text(d.Name)
                    .Value(Money.ToMajorString(d.Amount, d.Currency)).Text(d.Currency)
                    .Value(CsvValues.Frequency(d.Frequency)).Value(CsvValues.Status(d.Status))
                    .Value(Money.ToMajorString(d.RefundedAmount, d.Currency)).Value(CsvValues.Boolean(d.FeeCovered))
                    .Text(d.ReceiptNumber).Text(d.StripePaymentIntentId).Text(d.StripeChargeId)
                    .Text(d.StripeInvoiceId).Text(d.StripeSubscriptionId);
                var settled = d.SettlementCurrency ?? "";
                csv.Value(d.Fee is { } fee && settled.Length > 0 ? Money.ToMajorString(fee, settled) : "")
                    .Value(d.Net is { } net && settled.Length > 0 ? Money.ToMajorString(net, settled) : "")
                    .Text(d.SettlementCurrency)
                    .Value(d.SettlementAmount is { } gross && settled.Length > 0 ? Money.ToMajorString(gross, settled) : "")
                    .Value(d.ExchangeRate?.ToString("0.#########", CultureInfo.InvariantCulture) ?? "").Text(d.PayoutId)
                    .Value(Money.ToMajorString(d.BenefitsValue, d.Currency))
                    // As the receipt states it, by the same rule.
                    .Value(Money.ToMajorString(Deductible(new Donation
                    {
                        SettlementKey = "", Currency = d.Currency, Amount = d.Amount, RefundedAmount = d.RefundedAmount, Status = d.Status,
                        DisputeStatus = d.DisputeStatus, LostDisputeAmount = d.LostDisputeAmount,
                        BenefitsValue = d.BenefitsValue, BenefitsTreatment = d.BenefitsTreatment,
                    }), d.Currency))
                    .Text(d.Campaign).Text(d.Source).Text(d.UtmMedium).Text(d.UtmContent).Text(d.UtmTerm);
                await csv.EndRowAsync();
            }
        });
    }

    private static long Deductible(Donation gift) => GiftAmounts.Deductible(GiftAmounts.StatedAmount(gift), gift);

    /// <summary>Absent is fine (open range); "2026-11-25" is that day's UTC midnight; an instant needs an offset or Z.</summary>
    internal static bool TryParseInstant(string? value, out DateTime? utc)
    {
        utc = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        // An unencoded '+' of an offset arrives as a space.
        value = value.Trim().Replace(' ', '+');
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            utc = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            return true;
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            && value.Contains('T') && (value.EndsWith('Z') || value.EndsWith('z') || HasOffset(value)))
        {
            utc = instant.UtcDateTime;
            return true;
        }
        return false;
    }

    private static bool HasOffset(string value) => value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':';
}
