using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// The revenue page's numbers. Gift totals come from the <see cref="RevenueDay"/> rollup (days of
/// the organisation's calendar, so DST is already in them): a year is at most a few thousand rows
/// however many gifts it had. Members and lapsed donors are counted from their own indexed tables.
/// </summary>
public sealed class RevenueFigures(DonationsDbContext db)
{
    public sealed record Total(string Currency, int Gifts, long Net);

    /// <summary>Gifts and net per currency of the days [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public async Task<List<Total>> TotalsAsync(DateOnly from, DateOnly to, CancellationToken ct) =>
        await Days(from, to).GroupBy(d => d.Currency).OrderBy(g => g.Key)
            .Select(g => new Total(g.Key, g.Sum(d => d.Gifts), g.Sum(d => d.Net)))
            .ToListAsync(ct);

    /// <summary>Net per currency for each [start, next start) period, read in one query.</summary>
    public async Task<List<(DateOnly Start, List<Total> Totals)>> PerPeriodAsync(IReadOnlyList<DateOnly> boundaries, CancellationToken ct)
    {
        var days = await Days(boundaries[0], boundaries[^1]).GroupBy(d => new { d.Day, d.Currency })
            .Select(g => new { g.Key.Day, g.Key.Currency, Gifts = g.Sum(d => d.Gifts), Net = g.Sum(d => d.Net) })
            .ToListAsync(ct);
        var result = new List<(DateOnly, List<Total>)>(boundaries.Count - 1);
        for (var i = 0; i + 1 < boundaries.Count; i++)
        {
            var (start, end) = (boundaries[i], boundaries[i + 1]);
            result.Add((start, days.Where(d => d.Day >= start && d.Day < end).GroupBy(d => d.Currency).OrderBy(g => g.Key)
                .Select(g => new Total(g.Key, g.Sum(d => d.Gifts), g.Sum(d => d.Net))).ToList()));
        }
        return result;
    }

    public sealed record Group(string Name, string Currency, int Gifts, long Net);

    /// <summary>Gifts and net per campaign, source and currency of the days [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public sealed record Attributed(string Campaign, string Source, string Currency, int Gifts, long Net);

    public async Task<List<Attributed>> AttributedAsync(DateOnly from, DateOnly to, CancellationToken ct) =>
        await Days(from, to).GroupBy(d => new { d.Campaign, d.Source, d.Currency })
            .Select(g => new Attributed(g.Key.Campaign, g.Key.Source, g.Key.Currency, g.Sum(d => d.Gifts), g.Sum(d => d.Net)))
            .ToListAsync(ct);

    /// <summary>The 50 largest groups by net of one attribution (<paramref name="key"/>: campaign or source), per currency.</summary>
    public static List<Group> By(IEnumerable<Attributed> rows, Func<Attributed, string> key) =>
        rows.GroupBy(r => (Name: key(r), r.Currency))
            .Select(g => new Group(g.Key.Name, g.Key.Currency, g.Sum(r => r.Gifts), g.Sum(r => r.Net)))
            .OrderByDescending(g => g.Net).ThenBy(g => g.Name, StringComparer.Ordinal).ThenBy(g => g.Currency, StringComparer.Ordinal)
            .Take(50).ToList();

    public Task<int> QuidProQuoAsync(DateOnly from, DateOnly to, CancellationToken ct) => Days(from, to).SumAsync(d => d.QuidProQuo, ct);

    private IQueryable<RevenueDay> Days(DateOnly from, DateOnly to) => db.RevenueDays.AsNoTracking().Where(d => d.Day >= from && d.Day < to);

    /// <summary>Members active at <paramref name="atUtc"/> and what they give a month, per currency (an annual gift counts a twelfth).</summary>
    public async Task<List<Total>> RecurringAtAsync(DateTime atUtc, CancellationToken ct) =>
        await db.Memberships.AsNoTracking()
            .Where(m => m.StartedAt < atUtc && (m.CanceledAt == null || m.CanceledAt > atUtc) && m.Status != "incomplete" && m.Status != "incomplete_expired")
            .GroupBy(m => m.Currency).OrderBy(g => g.Key)
            .Select(g => new Total(g.Key, g.Count(), g.Sum(m => m.Interval == "year" ? m.MonthlyAmount / 12 : m.MonthlyAmount)))
            .ToListAsync(ct);

    /// <param name="Reasons">Why the month's cancelled members left, most given first: the reason a donor gave in the portal, else Stripe's.</param>
    public sealed record MemberMonth(int New, int Upgraded, int Cancelled, int FailedPayments, IReadOnlyList<(string Reason, int Members)> Reasons);

    /// <summary>What a cancellation with no reason given is listed under.</summary>
    public const string NoReasonGiven = "no reason given";

    public async Task<MemberMonth> MembersAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        var cancelled = await db.Memberships.AsNoTracking().Where(m => m.CanceledAt >= fromUtc && m.CanceledAt < toUtc)
            .Select(m => new { m.CancellationReason, m.StripeCancellationReason }).ToListAsync(ct);
        var reasons = cancelled
            .GroupBy(m => !string.IsNullOrWhiteSpace(m.CancellationReason) ? m.CancellationReason.Trim()
                : !string.IsNullOrWhiteSpace(m.StripeCancellationReason) ? m.StripeCancellationReason.Replace('_', ' ')
                : NoReasonGiven)
            .Select(g => (Reason: g.Key, Members: g.Count())).OrderByDescending(r => r.Members).ThenBy(r => r.Reason, StringComparer.Ordinal).ToList();
        return new(
            await db.Memberships.CountAsync(m => m.StartedAt >= fromUtc && m.StartedAt < toUtc, ct),
            await db.MembershipAmountChanges.Where(c => c.Upgrade && c.ChangedAt >= fromUtc && c.ChangedAt < toUtc)
                .Select(c => c.MembershipId).Distinct().CountAsync(ct),
            cancelled.Count,
            await db.StripeEvents.CountAsync(e => e.Type == "invoice.payment_failed" && e.CreatedAt >= fromUtc && e.CreatedAt < toUtc, ct),
            reasons);
    }

    /// <summary>
    /// Donors who gave in the previous year but not this one (LYBUNT), and who gave in some earlier
    /// year but not this one nor last (SYBUNT), as of the organisation's current year.
    /// </summary>
    public IQueryable<Donor> Lapsed(DateTime thisYearUtc, DateTime lastYearUtc, bool someYear) =>
        db.Donors.AsNoTracking().Where(p =>
            !p.Donations.Any(d => d.ReceivedAt >= thisYearUtc)
            && (someYear
                ? p.Donations.Any(d => d.ReceivedAt < lastYearUtc) && !p.Donations.Any(d => d.ReceivedAt >= lastYearUtc)
                : p.Donations.Any(d => d.ReceivedAt >= lastYearUtc && d.ReceivedAt < thisYearUtc)));
}
