using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Finance;

/// <summary>
/// Keeps <see cref="RevenueDay"/> — the revenue page's per-day, per-currency, per-campaign/source
/// totals — in step with the donations. A changed gift marks its day (<see cref="MarkAsync"/>, from
/// <see cref="RevenueRollupFollowsGifts"/>); <see cref="CatchUpAsync"/> recounts each marked day from
/// the donations themselves, so a row is never adjusted by a delta and cannot drift from the books.
/// It runs as a recurring job and before the page is drawn, which therefore always shows what is
/// committed; the recurring job also marks the days of gifts recorded or changed in the last hour,
/// so that a mark lost with a dying process is made again. The mark <see cref="Everything"/> (put by the migration that made the table, and by
/// anyone loading gifts in bulk) recounts every day that has gifts.
/// </summary>
public sealed class RevenueRollup(DonationsDbContext db, IOptions<OrganizationOptions> org, TimeProvider clock, ILogger<RevenueRollup> log)
{
    public const string RecurringJobId = "finance-revenue-rollup";
    /// <summary>The mark that asks for every day to be recounted.</summary>
    public static readonly DateOnly Everything = DateOnly.MinValue;
    private const int MarksPerPass = 500;

    public static DateOnly DayOf(DateTime utc, TimeZoneInfo zone) => DateOnly.FromDateTime(Dates.Local(utc, zone));

    public async Task MarkAsync(IEnumerable<DateTime> receivedAtUtc, CancellationToken ct)
    {
        var zone = org.Value.GetTimeZone();
        var days = receivedAtUtc.Select(t => DayOf(t, zone)).Distinct().ToList();
        if (days.Count == 0) return;
        db.RevenueDaysToRecount.AddRange(days.Select(d => new RevenueDayToRecount { Day = d }));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// How far the recurring job looks back for gifts recorded or changed whose day was not marked:
    /// a mark is made after the gift's commit, and a process that dies in between loses it.
    /// </summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromHours(1);

    /// <summary>The recurring job: marks the days of gifts recorded or changed in the last <see cref="LookBack"/>, then recounts every marked day.</summary>
    [DisableConcurrentExecution(10 * 60)]
    public async Task<int> RunAsync()
    {
        var since = clock.GetUtcNow().UtcDateTime - LookBack;
        // By UTC date, a handful of rows however busy the hour; each UTC date touches at most two local days.
        var dates = await db.Donations.AsNoTracking().Where(d => d.CreatedAt >= since || d.UpdatedAt >= since)
            .Select(d => d.ReceivedAt.Date).Distinct().ToListAsync(CancellationToken.None);
        await MarkAsync(dates.SelectMany(d => new[] { d, d.AddDays(1).AddTicks(-1) }), CancellationToken.None);
        return await CatchUpAsync(CancellationToken.None);
    }

    /// <summary>Recounts every marked day; answers how many were recounted.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        var zone = org.Value.GetTimeZone();
        var recounted = 0;
        while (true)
        {
            var marks = await db.RevenueDaysToRecount.AsNoTracking().OrderBy(m => m.Id).Take(MarksPerPass)
                .Select(m => new { m.Id, m.Day }).ToListAsync(ct);
            if (marks.Count == 0) return recounted;
            var upTo = marks[^1].Id;
            if (marks.Any(m => m.Day == Everything))
            {
                await MarkEveryDayAsync(upTo, zone, ct);
                continue;
            }
            foreach (var day in marks.Select(m => m.Day).Distinct().Order())
                if (await RecountAsync(day, upTo, zone, ct)) recounted++;
        }
    }

    /// <summary>Replaces the marks up to <paramref name="upTo"/> with one for each day from the first gift to the last.</summary>
    private async Task MarkEveryDayAsync(long upTo, TimeZoneInfo zone, CancellationToken ct)
    {
        var span = await db.Donations.GroupBy(_ => 1)
            .Select(g => new { First = g.Min(d => d.ReceivedAt), Last = g.Max(d => d.ReceivedAt) }).FirstOrDefaultAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.RevenueDaysToRecount.Where(m => m.Id <= upTo).ExecuteDeleteAsync(ct);
        if (span is not null)
        {
            var (first, last) = (DayOf(span.First, zone), DayOf(span.Last, zone));
            for (var d = first; d <= last; d = d.AddDays(1)) db.RevenueDaysToRecount.Add(new RevenueDayToRecount { Day = d });
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        log.LogInformation("Revenue rollup: every day from the first gift to the last marked for a recount");
    }

    /// <summary>
    /// One day, in one transaction: take its marks by deleting them (a second recounter of the same
    /// marks waits on them, then deletes none and leaves the day), then replace the day's rows by a
    /// fresh count. Two recounters of different marks of one day collide on the unique key; the
    /// loser marks the day again, for the next pass.
    /// </summary>
    private async Task<bool> RecountAsync(DateOnly day, long upTo, TimeZoneInfo zone, CancellationToken ct)
    {
        var from = Dates.StartInUtc(day.ToDateTime(TimeOnly.MinValue), zone);
        var to = Dates.StartInUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue), zone);
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            if (await db.RevenueDaysToRecount.Where(m => m.Day == day && m.Id <= upTo).ExecuteDeleteAsync(ct) == 0) return false;
            var counted = await db.Donations.Where(d => d.ReceivedAt >= from && d.ReceivedAt < to)
                .GroupBy(d => new { d.Currency, d.Campaign, d.Source })
                .Select(g => new
                {
                    g.Key.Currency, g.Key.Campaign, g.Key.Source, Gifts = g.Count(), Net = g.Sum(d => d.Amount - d.RefundedAmount),
                    // Dollar payments over $75 whose benefits are deducted and that still count (not wholly
                    // refunded): benefits disregarded under IRS rules make no quid pro quo payment. The
                    // Form 990 export also converts other currencies at Stripe's settlement, which the page does not.
                    QuidProQuo = g.Sum(d => d.BenefitsValue > 0 && d.BenefitsTreatment == BenefitsTreatment.Deducted
                        && d.Currency == "usd" && d.Amount > QuidProQuoThreshold && d.RefundedAmount < d.Amount ? 1 : 0),
                })
                .ToListAsync(ct);
            await db.RevenueDays.Where(r => r.Day == day).ExecuteDeleteAsync(ct);
            // No campaign and an empty one are the same row.
            db.RevenueDays.AddRange(counted.GroupBy(c => (c.Currency, Campaign: c.Campaign ?? "", Source: c.Source ?? "")).Select(g => new RevenueDay
            {
                Day = day, Currency = g.Key.Currency, Campaign = g.Key.Campaign, Source = g.Key.Source,
                Gifts = g.Sum(c => c.Gifts), Net = g.Sum(c => c.Net), QuidProQuo = g.Sum(c => c.QuidProQuo),
            }));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (DbUpdateException e) when (UniqueViolation.Is(e))
        {
            db.ChangeTracker.Clear();
            log.LogInformation("Revenue rollup: {Day} was recounted at the same time elsewhere; marked again", day);
            db.RevenueDaysToRecount.Add(new RevenueDayToRecount { Day = day });
            await db.SaveChangesAsync(ct);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The IRS's quid-pro-quo threshold: payments over $75 with goods or services in return (minor units of USD).</summary>
    public const long QuidProQuoThreshold = 7500;
}
