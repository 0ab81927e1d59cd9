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

    /// <summary>
    /// Members paying at each of <paramref name="timesUtc"/> and what they then gave a month, per
    /// currency (an annual gift counts a twelfth): started, not yet cancelled, active and not paused
    /// by the status history, at the amount the amount history had in force. Before a membership's
    /// first recorded status (memberships older than the history, as far back as it goes) it counts
    /// as paying unless that first status is one it never paid in; before its first recorded amount
    /// it counts at that first amount. One read of each table for all the times, summed here.
    /// </summary>
    public async Task<List<List<Total>>> RecurringAtAsync(IReadOnlyList<DateTime> timesUtc, CancellationToken ct)
    {
        if (timesUtc.Count == 0) return [];
        var (first, last) = (timesUtc.Min(), timesUtc.Max());
        // Stripe stamps canceled_at when a cancellation at the period's end is asked for; the member
        // pays through that period, and leaves only when the subscription ends (CanceledAt is then
        // its end).
        var members = db.Memberships.AsNoTracking().Where(m => m.StartedAt < last
            && (m.CanceledAt == null || m.CanceledAt > first || (m.CancelAtPeriodEnd && m.Status != "canceled")));
        var list = await members.Select(m => new
            {
                m.Id, m.Currency, m.StartedAt, m.MonthlyAmount, m.Interval, m.Status,
                LeftAt = m.CancelAtPeriodEnd && m.Status != "canceled" ? null : m.CanceledAt,
            })
            .ToListAsync(ct);
        var amounts = (await db.MembershipAmountChanges.AsNoTracking().Where(c => members.Any(m => m.Id == c.MembershipId))
                .OrderBy(c => c.ChangedAt).ThenBy(c => c.Id).Select(c => new { c.MembershipId, c.ChangedAt, c.ToAmount, c.Interval }).ToListAsync(ct))
            .ToLookup(c => c.MembershipId);
        var statuses = (await db.MembershipStatusChanges.AsNoTracking().Where(c => members.Any(m => m.Id == c.MembershipId))
                .OrderBy(c => c.ChangedAt).ThenBy(c => c.Id).Select(c => new { c.MembershipId, c.ChangedAt, c.Status, c.Paused }).ToListAsync(ct))
            .ToLookup(c => c.MembershipId);

        return timesUtc.Select(at => list
            .Where(m => m.StartedAt < at && (m.LeftAt is null || m.LeftAt > at))
            .Select(m =>
            {
                var history = statuses[m.Id].ToList();
                var status = history.LastOrDefault(s => s.ChangedAt <= at);
                var paying = status is not null ? status.Status == "active" && !status.Paused
                    : !NeverPaid(history.FirstOrDefault()?.Status ?? m.Status);
                var changes = amounts[m.Id].ToList();
                var amount = changes.LastOrDefault(c => c.ChangedAt <= at) ?? changes.FirstOrDefault();
                var monthly = amount is null ? MembershipAmountHistory.MonthlyWorth(m.MonthlyAmount, m.Interval)
                    : MembershipAmountHistory.MonthlyWorth(amount.ToAmount, amount.Interval);
                return (m.Currency, Paying: paying, Monthly: monthly);
            })
            .Where(m => m.Paying)
            .GroupBy(m => m.Currency).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Total(g.Key, g.Count(), g.Sum(m => m.Monthly)))
            .ToList()).ToList();
    }

    private static bool NeverPaid(string status) => status is "incomplete" or "incomplete_expired";

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
            // Members, not Stripe's events: one invoice is retried up to four times, each failing again.
            await db.MembershipPaymentFailures.Where(f => f.FailedAt >= fromUtc && f.FailedAt < toUtc)
                .Select(f => f.MembershipId).Distinct().CountAsync(ct),
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
