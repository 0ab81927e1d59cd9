using System.Globalization;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure;
using Donations.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// GET /api/finance/payouts.csv?from=&amp;to= — one row per Stripe payout that arrived in [from, to):
/// gross charges, Stripe's fees, refunds and disputes (money out, positive), the net (what the
/// recorded transactions add up to; equal to the bank deposit once all are recorded), the number
/// of gifts paid out and of transactions that belong to no gift. Major units of the payout currency.
/// </summary>
internal static class PayoutsExport
{
    public static readonly string[] Columns =
        ["payout_id", "arrival_date", "currency", "gross", "fees", "refunds", "disputes", "net", "gifts", "unmatched"];

    public static void Map(RouteGroupBuilder finance) => finance.MapGet("/payouts.csv", Export);

    private static Results<CsvResult, ProblemHttpResult> Export(string? from, string? to, DonationsDbContext db)
    {
        if (ExportRange.Invalid(from, to, out var fromUtc, out var toUtc) is { } problem) return problem;
        var rows = PayoutTotals.Query(db, fromUtc, toUtc).AsAsyncEnumerable();
        return new CsvResult(ExportRange.FileName("payouts", fromUtc, toUtc), Columns, async (csv, ct) =>
        {
            await foreach (var p in rows.WithCancellation(ct))
            {
                string M(long minor) => Money.ToMajorString(minor, p.Currency);
                csv.Text(p.PayoutId).Value(p.ArrivalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Text(p.Currency)
                    .Value(M(p.Charges)).Value(M(p.Fees)).Value(M(p.Refunds)).Value(M(p.Disputes)).Value(M(p.Net))
                    .Number(p.Gifts).Number(p.Unmatched);
                await csv.EndRowAsync();
            }
        });
    }
}
