using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Donations.Api.Features.Finance;

/// <summary>
/// The revenue page's numbers. Each period is one aggregate over the indexed <c>ReceivedAt</c>
/// range of that period's local start and end (so days and months are the organisation's, DST
/// included), grouped by currency in the database: a year of a million gifts is read through the
/// index, never loaded.
/// </summary>
public sealed class RevenueFigures(DonationsDbContext db)
{
    public sealed record Total(string Currency, int Gifts, long Net);

    public async Task<List<Total>> TotalsAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct) =>
        await db.Donations.AsNoTracking().Where(d => d.ReceivedAt >= fromUtc && d.ReceivedAt < toUtc)
            .GroupBy(d => d.Currency).OrderBy(g => g.Key)
            .Select(g => new Total(g.Key, g.Count(), g.Sum(d => d.Amount - d.RefundedAmount)))
            .ToListAsync(ct);

    /// <summary>Net per currency for each [start, next start) period.</summary>
    public async Task<List<(DateTime Start, List<Total> Totals)>> PerPeriodAsync(IReadOnlyList<DateTime> boundariesUtc, CancellationToken ct)
    {
        var result = new List<(DateTime, List<Total>)>(boundariesUtc.Count - 1);
        for (var i = 0; i + 1 < boundariesUtc.Count; i++)
            result.Add((boundariesUtc[i], await TotalsAsync(boundariesUtc[i], boundariesUtc[i + 1], ct)));
        return result;
    }

    public sealed record Group(string Name, string Currency, int Gifts, long Net);

    public async Task<List<Group>> ByCampaignAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct) =>
        await db.Donations.AsNoTracking().Where(d => d.ReceivedAt >= fromUtc && d.ReceivedAt < toUtc)
            .GroupBy(d => new { d.Campaign, d.Currency })
            .OrderByDescending(g => g.Sum(d => d.Amount - d.RefundedAmount)).Take(50)
            .Select(g => new Group(g.Key.Campaign ?? "", g.Key.Currency, g.Count(), g.Sum(d => d.Amount - d.RefundedAmount)))
            .ToListAsync(ct);

    public async Task<List<Group>> BySourceAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct) =>
        await db.Donations.AsNoTracking().Where(d => d.ReceivedAt >= fromUtc && d.ReceivedAt < toUtc)
            .GroupBy(d => new { d.Source, d.Currency })
            .OrderByDescending(g => g.Sum(d => d.Amount - d.RefundedAmount)).Take(50)
            .Select(g => new Group(g.Key.Source ?? "", g.Key.Currency, g.Count(), g.Sum(d => d.Amount - d.RefundedAmount)))
            .ToListAsync(ct);

    /// <summary>Members active at <paramref name="atUtc"/> and what they give a month, per currency (an annual gift counts a twelfth).</summary>
    public async Task<List<Total>> RecurringAtAsync(DateTime atUtc, CancellationToken ct) =>
        await db.Memberships.AsNoTracking()
            .Where(m => m.StartedAt < atUtc && (m.CanceledAt == null || m.CanceledAt > atUtc) && m.Status != "incomplete" && m.Status != "incomplete_expired")
            .GroupBy(m => m.Currency).OrderBy(g => g.Key)
            .Select(g => new Total(g.Key, g.Count(), g.Sum(m => m.Interval == "year" ? m.MonthlyAmount / 12 : m.MonthlyAmount)))
            .ToListAsync(ct);

    public sealed record MemberMonth(int New, int Cancelled, int FailedPayments);

    public async Task<MemberMonth> MembersAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct) => new(
        await db.Memberships.CountAsync(m => m.StartedAt >= fromUtc && m.StartedAt < toUtc, ct),
        await db.Memberships.CountAsync(m => m.CanceledAt >= fromUtc && m.CanceledAt < toUtc, ct),
        await db.StripeEvents.CountAsync(e => e.Type == "invoice.payment_failed" && e.CreatedAt >= fromUtc && e.CreatedAt < toUtc, ct));

    /// <summary>Gifts with benefits over the IRS's $75 quid-pro-quo threshold (Form 990, Part V line 7a–b).</summary>
    public Task<int> QuidProQuoAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct) =>
        db.Donations.CountAsync(d => d.ReceivedAt >= fromUtc && d.ReceivedAt < toUtc && d.BenefitsValue > 0
                                     && d.Currency == "usd" && d.Amount > 7500, ct);

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
