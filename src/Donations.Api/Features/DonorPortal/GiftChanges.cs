using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Jobs;
using Donations.Api.Infrastructure.Web;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace Donations.Api.Features.DonorPortal;

/// <summary>A monthly (or annual) gift of the signed-in donor, as the portal may change it.</summary>
public sealed record OwnedGift(long MembershipId, long DonorId, string SubscriptionId, string CustomerId, string Status,
    long Amount, long FeeAmount, string Currency, string Interval, DateTime? CurrentPeriodEnd, bool Paused, DateTime? PausedUntil,
    bool CancelAtPeriodEnd, bool BenefitsDeclined)
{
    public long Gift => Amount - FeeAmount;
    public bool IsAnnual => Interval == "year";
    /// <summary>Stripe still collects it: active or in a trial (a moved payment day), not ending.</summary>
    public bool IsRunning => Status is "active" or "trialing" && !CancelAtPeriodEnd;
}

/// <summary>What a change sends to Stripe and tells the donor, or why it cannot be made.</summary>
public sealed record PlannedChange(string? Kind, string? Summary, string? Reason, SubscriptionUpdateOptions? Update, string? Error = null)
{
    public static PlannedChange Refused(string error) => new(null, null, null, null, error);
    public static PlannedChange To(string kind, string summary, SubscriptionUpdateOptions update, string? reason = null) =>
        new(kind, summary, reason, update);
}

/// <summary>
/// The one way the portal changes a gift at Stripe. The gift must be the signed-in donor's (found
/// by the donor's id, never by what the form claims), running, and its subscription at Stripe must
/// still belong to the customer recorded for it; otherwise Stripe is not called. Each change is one
/// subscription update on the pinned API version (Stripe.net sends it) with an idempotency key made
/// of the form's nonce and the change itself, so a form sent twice changes once; the accepted change
/// is kept as a <see cref="GiftChange"/> and confirmed by email. The membership itself changes
/// only when Stripe's <c>customer.subscription.updated</c> arrives.
/// </summary>
public sealed class GiftChanges(
    DonationsDbContext db, IStripeClient stripe, IBackgroundJobClient jobs, OutboundMail mail, TimeProvider time,
    IOptions<OrganizationOptions> org, ILogger<GiftChanges> log)
{
    public const string GiftField = "gift";
    public const string NonceField = "request";

    /// <summary>The gift named by the form's <c>gift</c> field, if it is the signed-in donor's and running.</summary>
    public async Task<OwnedGift?> FindAsync(HttpContext http, IFormCollection form)
    {
        var donorId = DonorAuthentication.DonorId(http.User);
        if (!long.TryParse(form[GiftField], NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return null;
        var gift = await db.Memberships.AsNoTracking()
            .Where(m => m.Id == id && m.DonorId == donorId && m.StripeCustomerId != null)
            .Select(m => new OwnedGift(m.Id, m.DonorId, m.StripeSubscriptionId, m.StripeCustomerId!, m.Status, m.MonthlyAmount,
                m.FeeAmount, m.Currency, m.Interval, m.CurrentPeriodEnd, m.Paused, m.PausedUntil, m.CancelAtPeriodEnd, m.BenefitsDeclined))
            .SingleOrDefaultAsync(http.RequestAborted);
        if (gift is null)
            log.LogWarning("Donor {DonorId} asked to change gift {MembershipId}, which is not theirs or has no customer", donorId, id);
        return gift;
    }

    /// <summary>
    /// Reads the subscription at Stripe (for its item and product) and refuses one whose customer
    /// is not the gift's: the membership row could be stale, Stripe's answer is not.
    /// </summary>
    public async Task<Subscription?> SubscriptionAsync(OwnedGift gift, CancellationToken ct)
    {
        var subscription = await new SubscriptionService(stripe).GetAsync(gift.SubscriptionId, cancellationToken: ct);
        if (subscription.CustomerId == gift.CustomerId) return subscription;
        log.LogWarning("Subscription {SubscriptionId} belongs to another customer than membership {MembershipId}; not changed",
            gift.SubscriptionId, gift.MembershipId);
        return null;
    }

    /// <summary>
    /// The whole of one change: find the donor's gift, read its subscription, let <paramref name="plan"/>
    /// decide the update (or why not), send it, and answer the page. Stripe is called only for a gift of
    /// the signed-in donor.
    /// </summary>
    public async Task<IResult> HandleAsync(HttpContext http, Func<OwnedGift, IFormCollection, Subscription, PlannedChange> plan)
    {
        var ct = http.RequestAborted;
        var form = await http.Request.ReadFormAsync(ct);
        if (await FindAsync(http, form) is not { IsRunning: true } gift) return NotYours(http);
        try
        {
            if (await SubscriptionAsync(gift, ct) is not { } subscription) return NotYours(http);
            var planned = plan(gift, form, subscription);
            if (planned.Error is { } error) return Invalid(http, error);
            await ApplyAsync(gift, planned.Kind!, planned.Summary!, planned.Reason, planned.Update!, form, ct);
            return Done(http, planned.Summary!);
        }
        catch (StripeException ex)
        {
            return StripeFailed(http, ex);
        }
    }

    /// <summary>Sends the update and records the change; a repeat of the same form is answered from Stripe's idempotency and recorded once.</summary>
    public async Task ApplyAsync(OwnedGift gift, string kind, string summary, string? reason, SubscriptionUpdateOptions update,
        IFormCollection form, CancellationToken ct)
    {
        var key = RequestKey(gift, kind, summary, reason, form[NonceField].ToString());
        await new SubscriptionService(stripe).UpdateAsync(gift.SubscriptionId, update, new RequestOptions { IdempotencyKey = key }, ct);
        var change = new GiftChange
        {
            MembershipId = gift.MembershipId, DonorId = gift.DonorId, Kind = kind, Summary = summary, Reason = reason,
            RequestKey = key, RequestedAt = time.GetUtcNow().UtcDateTime, MessageId = mail.NewMessageId($"gift-change-{gift.MembershipId}"),
        };
        if (await RowClaims.TryInsertAsync(db, d => d.GiftChanges.Add(change), CancellationToken.None))
        {
            jobs.Enqueue<ConfirmGiftChange>(JobQueues.Email, j => j.RunAsync(change.Id, CancellationToken.None));
            log.LogInformation("Gift change {Kind} of membership {MembershipId} accepted by Stripe (change {ChangeId})", kind, gift.MembershipId, change.Id);
        }
    }

    /// <summary>The page after a change: what was asked, and that the account shows it once Stripe confirms.</summary>
    public IResult Done(HttpContext http, string summary) => PortalPage.Render(http, org.Value.Name, "Change received", $"""
        <p class="notice" role="status">{HtmlShell.E(summary)}</p>
        <p>We have emailed you a confirmation. Your account page shows the change as soon as Stripe confirms it, usually within a minute.</p>
        <p><a href="/manage/account">Back to your giving</a></p>
        """);

    public IResult NotYours(HttpContext http) => PortalPage.Render(http, org.Value.Name, "Gift not found", """
        <p class="notice error" role="alert">We could not find that gift among your active monthly gifts. Nothing has changed.</p>
        <p><a href="/manage/account">Back to your giving</a></p>
        """, StatusCodes.Status404NotFound);

    public IResult Invalid(HttpContext http, string message) => PortalPage.Render(http, org.Value.Name, "Please check the form", $"""
        <p class="notice error" role="alert">{HtmlShell.E(message)} Nothing has changed.</p>
        <p><a href="/manage/account">Back to your giving</a></p>
        """, StatusCodes.Status400BadRequest);

    public IResult StripeFailed(HttpContext http, StripeException ex)
    {
        log.LogWarning("Stripe refused a gift change: {Status} {StripeCode} {StripeMessage}", (int)ex.HttpStatusCode, ex.StripeError?.Code, ex.StripeError?.Message);
        return PortalPage.Render(http, org.Value.Name, "Stripe did not accept the change", """
            <p class="notice error" role="alert">Stripe did not accept this change just now. Nothing has changed.
            Please try again in a few minutes, or reply to any of our emails and we will help.</p>
            <p><a href="/manage/account">Back to your giving</a></p>
            """, StatusCodes.Status502BadGateway);
    }

    public TimeZoneInfo Zone => org.Value.GetTimeZone();
    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;

    // The nonce is made when the page is rendered: a second click sends the same one, a new visit a new one.
    // Stripe refuses a key reused with other parameters, so the change itself is part of it.
    private static string RequestKey(OwnedGift gift, string kind, string summary, string? reason, string nonce) =>
        "portal-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('|', gift.SubscriptionId, kind, summary, reason, string.IsNullOrWhiteSpace(nonce) ? Guid.NewGuid().ToString("N") : nonce))));
}
