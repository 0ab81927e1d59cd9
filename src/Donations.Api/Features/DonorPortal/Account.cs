using System.Text;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Donations.Api.Features.DonorPortal.PortalPage;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// <c>GET /manage/account</c>: the signed-in donor's gifts with their receipt numbers, year-end
/// statements, and monthly gifts with the button to Stripe's billing portal.
/// </summary>
public static class Account
{
    public static async Task<IResult> Show(HttpContext http, DonationsDbContext db, IOptions<OrganizationOptions> org)
    {
        var donorId = DonorAuthentication.DonorId(http.User);
        var ct = http.RequestAborted;
        var donor = await db.Donors.AsNoTracking().Where(d => d.Id == donorId)
            .Select(d => new { d.Email, d.Name, d.StripeCustomerId }).SingleOrDefaultAsync(ct);
        if (donor is null)
        {
            await http.SignOutAsync(DonorAuthentication.Scheme);
            return Results.Redirect("/manage");
        }

        var gifts = await db.Donations.AsNoTracking().Where(d => d.DonorId == donorId)
            .OrderByDescending(d => d.ReceivedAt)
            .Select(d => new Gift(d.ReceivedAt, d.Amount, d.RefundedAmount, d.Currency, d.Frequency, d.Status,
                d.Receipts.Where(r => r.Kind != ReceiptKind.VoidNotice).OrderBy(r => r.IssuedAt).Select(r => r.Number).ToList()))
            .ToListAsync(ct);
        var memberships = await db.Memberships.AsNoTracking().Where(m => m.DonorId == donorId)
            .OrderByDescending(m => m.StartedAt)
            .Select(m => new Monthly(m.Tier, m.MonthlyAmount, m.Currency, m.Status, m.CurrentPeriodEnd, m.CancelAtPeriodEnd, m.CanceledAt, m.StripeCustomerId)
            { Paused = m.Paused, PausedUntil = m.PausedUntil, Interval = m.Interval })
            .ToListAsync(ct);
        var statements = await db.Statements.AsNoTracking()
            .Where(s => s.DonorId == donorId && s.Status == StatementStatus.Sent)
            .OrderByDescending(s => s.Year).Select(s => s.Year).ToListAsync(ct);

        var zone = org.Value.GetTimeZone();
        var canManage = donor.StripeCustomerId is not null || memberships.Any(m => m.StripeCustomerId is not null);
        var html = new StringBuilder();
        html.Append($"<p>Signed in as <strong>{E(donor.Email)}</strong>. This page is yours for an hour.</p>");
        AppendMemberships(html, memberships, zone, canManage, http);
        html.Append(await ManageGiftForms.RenderAsync(http, db, donorId, donor.Name));
        AppendGifts(html, gifts, zone);
        AppendStatements(html, statements);
        html.Append("""<h2>Your data</h2><p><a href="/manage/account/data.zip">Download everything we hold about you</a> (one zip file: your details and gifts as JSON, with your receipt and statement PDFs).</p>""");
        html.Append($"""
            <form method="post" action="/manage/sign-out">{AntiforgeryField(http)}<button type="submit" class="secondary">Sign out</button></form>
            """);
        return Render(http, org.Value.Name, "Your giving", html.ToString());
    }

    private static void AppendMemberships(StringBuilder html, List<Monthly> memberships, TimeZoneInfo zone, bool canManage, HttpContext http)
    {
        html.Append("<h2>Monthly gift</h2>");
        if (memberships.Count == 0)
            html.Append("<p>You have no monthly gift.</p>");
        else
        {
            html.Append("""<table><caption>Your monthly gifts</caption><thead><tr><th scope="col">Tier</th><th scope="col" class="amount">Monthly amount</th><th scope="col">Status</th><th scope="col">Next payment or end</th></tr></thead><tbody>""");
            foreach (var m in memberships)
                html.Append($"""<tr><td>{E(m.Tier ?? "Member")}</td><td class="amount">{E(Money.Format(m.MonthlyAmount, m.Currency))}{(m.Interval == "year" ? " a year" : "")}</td><td>{E(StatusText(m))}</td><td>{E(PeriodText(m, zone))}</td></tr>""");
            html.Append("</tbody></table>");
        }
        if (canManage)
            html.Append($"""
                <form method="post" action="/manage/billing-portal">
                  {AntiforgeryField(http)}
                  <p>Change the card or bank account your gifts are paid with on Stripe's secure billing page.</p>
                  <button type="submit">Manage monthly gift and payment details</button>
                </form>
                """);
    }

    private static void AppendGifts(StringBuilder html, List<Gift> gifts, TimeZoneInfo zone)
    {
        html.Append("<h2>Gifts</h2>");
        if (gifts.Count == 0)
        {
            html.Append("<p>No gifts are recorded yet. A gift made in the last few minutes may take a moment to appear.</p>");
            return;
        }
        html.Append("""<table><caption>Your gifts and their tax receipts</caption><thead><tr><th scope="col">Date</th><th scope="col" class="amount">Amount</th><th scope="col">Frequency</th><th scope="col">Status</th><th scope="col">Receipt</th></tr></thead><tbody>""");
        foreach (var g in gifts)
        {
            var receipts = g.Receipts.Count == 0 ? "Being prepared"
                : string.Join(", ", g.Receipts.Select(n => $"""<a href="/manage/receipts/{Uri.EscapeDataString(n)}.pdf">{E(n)} (PDF)</a>"""));
            html.Append($"""<tr><td>{E(Dates.Long(g.ReceivedAt, zone))}</td><td class="amount">{E(Money.Format(g.Amount, g.Currency))}</td><td>{g.Frequency switch { DonationFrequency.Monthly => "Monthly", DonationFrequency.Annual => "Annual", _ => "One-time" }}</td><td>{E(GiftStatus(g))}</td><td>{receipts}</td></tr>""");
        }
        html.Append("</tbody></table><p>Each receipt was also emailed to you when the gift arrived.</p>");
    }

    private static void AppendStatements(StringBuilder html, List<int> years)
    {
        html.Append("<h2>Year-end statements</h2>");
        html.Append(years.Count == 0
            ? "<p>No year-end statement has been sent to you yet. Statements go out each January for the year before.</p>"
            : $"<ul>{string.Concat(years.Select(y => $"<li>{y}: emailed to you, <a href=\"/manage/statements/{y}.pdf\">download (PDF)</a></li>"))}</ul>");
    }

    private static string GiftStatus(Gift g) => g.Status switch
    {
        DonationStatus.Refunded => "Refunded",
        DonationStatus.PartiallyRefunded => $"Partly refunded ({Money.Format(g.RefundedAmount, g.Currency)})",
        DonationStatus.Disputed => "Disputed",
        _ => "Received",
    };

    private static string StatusText(Monthly m) => m.Status switch
    {
        "active" or "trialing" when m.CancelAtPeriodEnd => "Active, ends at the end of the period",
        "active" or "trialing" when m.Paused => "Paused",
        "active" or "trialing" => "Active",
        "past_due" or "unpaid" => "Payment failed: please update your card",
        "canceled" => "Canceled",
        "incomplete" or "incomplete_expired" => "Not started",
        _ => m.Status,
    };

    private static string PeriodText(Monthly m, TimeZoneInfo zone) => m switch
    {
        { Status: "canceled", CanceledAt: { } at } => $"Ended {Dates.Long(at, zone)}",
        { CurrentPeriodEnd: { } end, CancelAtPeriodEnd: true } => $"Ends {Dates.Long(end, zone)}",
        { Status: "canceled" } => "",
        // A paused gift's period end passes without a payment (its invoices are voided).
        { Paused: true, PausedUntil: { } until } => $"Paused until {Dates.Long(until, zone)}",
        { Paused: true } => "Paused",
        { CurrentPeriodEnd: { } end } => $"Next payment {Dates.Long(end, zone)}",
        _ => "",
    };

    private sealed record Gift(DateTime ReceivedAt, long Amount, long RefundedAmount, string Currency,
        DonationFrequency Frequency, DonationStatus Status, List<string> Receipts);

    private sealed record Monthly(string? Tier, long MonthlyAmount, string Currency, string Status,
        DateTime? CurrentPeriodEnd, bool CancelAtPeriodEnd, DateTime? CanceledAt, string? StripeCustomerId)
    {
        public bool Paused { get; init; }
        public DateTime? PausedUntil { get; init; }
        public string Interval { get; init; } = "month";
    }
}
