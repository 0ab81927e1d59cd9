using System.Globalization;
using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure;
using Donations.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Finance;

/// <summary>
/// GET /api/finance/journal.csv?from=&amp;to= — one balanced journal entry per payout that arrived in
/// [from, to), dated on its arrival day, accounts named by <c>Finance:Accounts:*</c>. After the
/// designed columns (date, account, debit, credit, memo) come <c>journal_no</c> (the payout id,
/// which groups an entry's lines in QuickBooks Online), <c>currency</c>, and <c>amount</c>
/// (debit positive, credit negative, as Xero's manual-journal import wants it).
/// </summary>
internal static class JournalExport
{
    public static readonly string[] Columns = ["date", "account", "debit", "credit", "memo", "journal_no", "currency", "amount"];

    public static void Map(RouteGroupBuilder finance) => finance.MapGet("/journal.csv", Export);

    private static Results<CsvResult, ProblemHttpResult> Export(string? from, string? to, DonationsDbContext db, IOptions<FinanceOptions> options)
    {
        if (ExportRange.Invalid(from, to, out var fromUtc, out var toUtc) is { } problem) return problem;
        var accounts = options.Value.Accounts;
        var payouts = PayoutTotals.Query(db, fromUtc, toUtc).AsAsyncEnumerable();
        return new CsvResult(ExportRange.FileName("journal", fromUtc, toUtc), Columns, async (csv, ct) =>
        {
            await foreach (var p in payouts.WithCancellation(ct))
            {
                var date = p.ArrivalDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                foreach (var line in PayoutJournal.For(p, accounts))
                {
                    csv.Value(date).Text(line.Account)
                        .Value(line.Debit == 0 ? "" : Money.ToMajorString(line.Debit, p.Currency))
                        .Value(line.Credit == 0 ? "" : Money.ToMajorString(line.Credit, p.Currency))
                        .Text(line.Memo).Text(p.PayoutId).Text(p.Currency.ToUpperInvariant())
                        .Value(Money.ToMajorString(line.Debit - line.Credit, p.Currency));
                    await csv.EndRowAsync();
                }
            }
        });
    }
}
