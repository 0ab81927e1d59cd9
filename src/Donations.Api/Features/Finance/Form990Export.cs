using Donations.Api.Features.Donations;
using System.Globalization;
using Donations.Api.Features.Receipts;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Finance;

/// <summary>
/// GET /api/finance/form990.csv?year= — the quid-pro-quo payments of a tax year (the
/// organisation's time zone) for Form 990 Part V lines 7a–b: payments over $75 made partly as a
/// contribution and partly for goods or services whose value is deducted on the receipt (IRC 6115;
/// insubstantial benefits, membership privileges and declined benefits need no disclosure and are
/// not counted). The $75 is the payment as made, before any refund; payments refunded in full are
/// left out. One row per currency: how many, what was paid, the goods' value, what remains deductible after refunds,
/// the USD total at Stripe's settlement, how many were disclosed (a receipt stating and deducting the goods was sent, line 7b),
/// and how many non-USD payments could not be judged yet because their USD settlement is unknown.
/// </summary>
internal static class Form990Export
{
    public static readonly string[] Columns =
        ["year", "currency", "payments", "amount", "benefits_value", "deductible_amount", "usd_amount", "disclosed", "usd_unknown"];

    /// <summary>Form 990 Part V line 7a's threshold, in cents.</summary>
    public const long ThresholdUsd = 7500;

    public static void Map(RouteGroupBuilder finance) => finance.MapGet("/form990.csv", ExportAsync);

    private static async Task<Results<CsvResult, ProblemHttpResult>> ExportAsync(
        int? year, DonationsDbContext db, IOptions<OrganizationOptions> organization, CancellationToken ct)
    {
        if (year is not (>= 2000 and <= 9998))
            return TypedResults.Problem(new ProblemDetails
            {
                Title = "Which tax year?",
                Detail = "Give the tax year as ?year=2025 (a year from 2000 on).",
                Status = StatusCodes.Status400BadRequest,
            });
        var rows = await TotalsAsync(db, year.Value, organization.Value.GetTimeZone(), ct);
        return new CsvResult($"form990-{year}.csv", Columns, async (csv, _) =>
        {
            foreach (var r in rows)
            {
                csv.Number(year.Value).Text(r.Currency.ToLowerInvariant()).Number(r.Payments)
                    .Value(Money.ToMajorString(r.Amount, r.Currency)).Value(Money.ToMajorString(r.BenefitsValue, r.Currency))
                    .Value(Money.ToMajorString(r.Deductible, r.Currency)).Value(Money.ToMajorString(r.Usd, "usd"))
                    .Number(r.Disclosed).Number(r.UsdUnknown);
                await csv.EndRowAsync();
            }
        });
    }

    public sealed record Total(string Currency, int Payments, long Amount, long BenefitsValue, long Deductible, long Usd, int Disclosed, int UsdUnknown);

    public static async Task<List<Total>> TotalsAsync(DonationsDbContext db, int year, TimeZoneInfo zone, CancellationToken ct)
    {
        var start = Dates.StartInUtc(new DateTime(year, 1, 1), zone);
        var end = Dates.StartInUtc(new DateTime(year + 1, 1, 1), zone);
        var gifts = await db.Donations.AsNoTracking()
            .Where(d => d.ReceivedAt >= start && d.ReceivedAt < end
                && d.BenefitsTreatment == BenefitsTreatment.Deducted && d.BenefitsValue > 0)
            .Select(d => new
            {
                Donation = d,
                // Disclosed by a receipt sent that stated and deducted the goods: an original that
                // disregarded them (judged again after a refund) disclosed nothing; its correction did.
                Disclosed = d.Receipts.Any(r => r.Kind != ReceiptKind.VoidNotice && r.SentAt != null && r.DeductibleAmount < r.Amount),
            })
            .ToListAsync(ct);
        var counted = gifts.Where(g => GiftAmounts.StatedAmount(g.Donation) > 0).ToList();
        var usd = await UsdEquivalents.SettledAsync(db, counted.Select(g => g.Donation.Id).ToList(), ct);
        long? UsdOf(Donation d) => d.Currency == "usd" ? d.Amount : usd.TryGetValue(d.Id, out var u) ? u : null;

        return counted
            .GroupBy(g => g.Donation.Currency)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var over = g.Where(x => UsdOf(x.Donation) > ThresholdUsd).ToList();
                return new Total(g.Key, over.Count, over.Sum(x => x.Donation.Amount), over.Sum(x => x.Donation.BenefitsValue),
                    over.Sum(x => GiftAmounts.Deductible(GiftAmounts.StatedAmount(x.Donation), x.Donation)), over.Sum(x => UsdOf(x.Donation)!.Value),
                    over.Count(x => x.Disclosed), g.Count(x => UsdOf(x.Donation) is null));
            })
            .ToList();
    }
}
