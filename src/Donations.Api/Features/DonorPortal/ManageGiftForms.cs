using System.Text;
using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Donations.Api.Infrastructure.Web.HtmlShell;

namespace Donations.Api.Features.DonorPortal;

/// <summary>
/// The account page's forms for each running monthly or annual gift (amount, pause or resume,
/// skip, payment day, monthly/annual, benefits, cancel) and for the name on receipts. Each form
/// carries the antiforgery token, the gift's id (checked against the signed-in donor on post)
/// and a nonce made now, so that a form sent twice changes the gift once.
/// </summary>
internal static class ManageGiftForms
{
    public static async Task<string> RenderAsync(HttpContext http, DonationsDbContext db, long donorId, string? name)
    {
        var services = http.RequestServices;
        var donations = services.GetRequiredService<IOptions<DonationsOptions>>().Value;
        var tiers = services.GetRequiredService<MembershipTiers>();
        var zone = services.GetRequiredService<IOptions<OrganizationOptions>>().Value.GetTimeZone();
        var gifts = await db.Memberships.AsNoTracking()
            .Where(m => m.DonorId == donorId && m.StripeCustomerId != null && (m.Status == "active" || m.Status == "trialing") && !m.CancelAtPeriodEnd)
            .OrderBy(m => m.StartedAt)
            .Select(m => new OwnedGift(m.Id, m.DonorId, m.StripeSubscriptionId, m.StripeCustomerId!, m.Status, m.MonthlyAmount,
                m.FeeAmount, m.Currency, m.Interval, m.CurrentPeriodEnd, m.Paused, m.PausedUntil, m.CancelAtPeriodEnd, m.BenefitsDeclined))
            .ToListAsync(http.RequestAborted);
        var nonce = Guid.NewGuid().ToString("N");
        var html = new StringBuilder();
        foreach (var g in gifts)
        {
            var hidden = $"""{AntiforgeryField(http)}<input type="hidden" name="{GiftChanges.GiftField}" value="{g.MembershipId}"><input type="hidden" name="{GiftChanges.NonceField}" value="{nonce}">""";
            string Form(string action, string body) => $"""<form method="post" action="/manage/gift/{action}" class="gift-{action}">{hidden}{body}</form>""";
            var amount = Money.Format(g.Amount, g.Currency);
            html.Append($"""<section aria-label="Change your {GiftWords.Name(g)} gift of {E(amount)}"><h3>Your {GiftWords.Name(g)} gift of {E(amount)}</h3>""");
            if (g.Paused)
                html.Append($"<p>Paused{(g.PausedUntil is { } until ? $": no payment is taken until {E(Dates.Long(until, zone))}" : "")}.</p>");

            html.Append(Form("amount", $"""
                <label for="amount-{g.MembershipId}">New amount {GiftWords.Each(g)} ({E(g.Currency.ToUpperInvariant())})</label>
                <input id="amount-{g.MembershipId}" name="amount" inputmode="decimal" required value="{E(Money.ToMajorString(g.Gift, g.Currency))}">
                <label><input type="checkbox" name="cover_fee"{(g.FeeAmount > 0 ? " checked" : "")}> Add {E(Checkout.ProcessingFee.From(donations).Describe(g.Currency))} to cover processing fees</label>
                <button type="submit">Review the new amount</button>
                """));
            if (g.Paused)
                html.Append(Form("resume", """<button type="submit">Resume now</button>"""));
            else
            {
                html.Append(Form("pause", $"""
                    <label for="months-{g.MembershipId}">Pause for</label>
                    <select id="months-{g.MembershipId}" name="months">{string.Concat(Enumerable.Range(1, PauseGift.MaxMonths).Select(n => $"<option value=\"{n}\">{n} month{(n > 1 ? "s" : "")}</option>"))}</select>
                    <button type="submit">Pause</button>
                    """));
                html.Append(Form("skip", $"""<button type="submit" class="secondary">Skip the next payment{(g.CurrentPeriodEnd is { } due ? $" ({E(Dates.Long(due, zone))})" : "")}</button>"""));
                html.Append(Form("payment-day", $"""
                    <label for="day-{g.MembershipId}">Take the payment on day</label>
                    <select id="day-{g.MembershipId}" name="day">{string.Concat(Enumerable.Range(1, MovePaymentDay.LastDay).Select(d => $"<option>{d}</option>"))}</select>
                    <button type="submit" class="secondary">Move the payment day</button>
                    """));
                if (g.IsAnnual || donations.OffersAnnual)
                    html.Append(Form("interval", $"""<input type="hidden" name="interval" value="{(g.IsAnnual ? "month" : "year")}"><button type="submit" class="secondary">{(g.IsAnnual ? "Switch to monthly" : "Switch to one payment a year")}</button>"""));
            }
            if (tiers.For(MembershipTiers.MonthlyEquivalent(g.Gift, g.Interval), g.Currency) is { Benefits: { } benefits })
                html.Append(Form("benefits", g.BenefitsDeclined
                    ? """<p>You have declined the membership benefits.</p><input type="hidden" name="benefits" value="accepted"><button type="submit" class="secondary">Receive the benefits again</button>"""
                    : $"""<p>Your gift comes with {E(benefits)}.</p><input type="hidden" name="benefits" value="declined"><button type="submit" class="secondary">Decline the benefits (the whole gift becomes deductible)</button>"""));
            html.Append(Form("cancel", $"""
                <label for="reason-{g.MembershipId}">Why are you cancelling? (optional)</label>
                <textarea id="reason-{g.MembershipId}" name="reason" maxlength="{CancelGift.MaxReasonLength}" rows="2"></textarea>
                <button type="submit" class="secondary">Cancel my {GiftWords.Name(g)} gift</button>
                """));
            html.Append("</section>");
        }
        html.Append($"""
            <h2>Name on your receipts</h2>
            <form method="post" action="/manage/name">
              {AntiforgeryField(http)}
              <label for="receipt-name">Your name as it should appear on future receipts and statements</label>
              <input id="receipt-name" name="name" autocomplete="name" required maxlength="{CorrectReceiptName.MaxLength}" value="{E(name)}">
              <button type="submit" class="secondary">Correct my name</button>
            </form>
            """);
        return html.ToString();
    }
}
