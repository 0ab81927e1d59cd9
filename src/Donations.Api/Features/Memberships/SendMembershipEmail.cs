using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Sends one membership lifecycle email per occasion, keyed in <see cref="Notification"/>:
/// <c>welcome:&lt;subscription&gt;</c>, <c>payment-failed:&lt;invoice&gt;</c> (one per invoice,
/// whatever the number of failed retries), <c>card-expiring:&lt;payment method&gt;:&lt;yyyy-mm&gt;</c>,
/// <c>canceled:&lt;subscription&gt;</c>, <c>lapsed:&lt;subscription&gt;</c> (Stripe gave up collecting) and
/// <c>win-back:&lt;subscription&gt;</c>, each worded by its <c>membership-*.liquid</c> templates.
/// Each occasion checks that it still holds when the job runs; <see cref="MembershipMailer"/> sends
/// it once.
/// </summary>
public sealed class SendMembershipEmail(
    DonationsDbContext db, MembershipMailer mailer, MembershipCards cards, IOptions<OrganizationOptions> org,
    PaymentFailureFacts failures, ILogger<SendMembershipEmail> log)
{
    public const string WelcomeKind = "welcome";
    public const string PaymentFailedKind = "payment-failed";
    public const string CanceledKind = "canceled";
    public const string LapsedKind = "lapsed";
    public const string CardExpiringKind = "card-expiring";
    public const string WinBackKind = "win-back";

    /// <summary>Only once a payment of the membership is recorded: a subscription alone is not yet a gift.</summary>
    public async Task WelcomeAsync(long membershipId, CancellationToken ct)
    {
        if (await mailer.LoadAsync(membershipId, ct) is not { } m) return;
        if (!await db.Donations.AnyAsync(d => d.MembershipId == membershipId, ct))
        {
            log.LogDebug("Membership {MembershipId} has no payment yet; welcome waits for it", membershipId);
            return;
        }
        await mailer.SendOnceAsync($"{WelcomeKind}:{m.SubscriptionId}", WelcomeKind, m, "membership-welcome",
            j => j.WelcomeAsync(membershipId, CancellationToken.None), ct);
    }

    /// <summary>
    /// Not when the invoice has been paid since (a retry worked) or the membership has ended. Says
    /// why the bank declined and when Stripe tries again, and carries a link to the card update.
    /// </summary>
    public async Task PaymentFailedAsync(long membershipId, string invoiceId, CancellationToken ct)
    {
        if (await mailer.LoadAsync(membershipId, ct) is not { } m) return;
        var key = $"{PaymentFailedKind}:{invoiceId}";
        if (MembershipLapses.HasEnded(m.Status) || await db.Donations.AnyAsync(d => d.StripeInvoiceId == invoiceId, ct)
            || await db.Notifications.AnyAsync(n => n.Key == key && n.SentAt != null, ct))
        {
            log.LogInformation("Invoice {InvoiceId} of membership {MembershipId} is paid, the membership ended, or the donor was told; no payment-failed email", invoiceId, membershipId);
            return;
        }
        var facts = await failures.ForInvoiceAsync(invoiceId, ct);
        if (facts.Paid)
        {
            log.LogInformation("Invoice {InvoiceId} of membership {MembershipId} has been paid at Stripe; no payment-failed email", invoiceId, membershipId);
            return;
        }
        var zone = org.Value.GetTimeZone();
        await mailer.SendOnceAsync(key, PaymentFailedKind, m, "membership-payment-failed",
            j => j.PaymentFailedAsync(membershipId, invoiceId, CancellationToken.None), ct,
            async model => await mailer.WithPaymentLinkAsync(m, model with
            {
                DeclineReason = DeclineReasons.Describe(facts.DeclineCode),
                NextAttempt = facts.NextAttempt is { } next ? Dates.Long(next, zone) : null,
            }, ct));
    }

    /// <summary>
    /// The card the next payment would use expires before it: one reminder per card and expiry. The
    /// card is read from Stripe here, not taken from the job's arguments; one replaced since the daily
    /// scan is not mentioned.
    /// </summary>
    public async Task CardExpiringAsync(long membershipId, CancellationToken ct)
    {
        // Not to a donor who has asked to stop since the daily scan queued this.
        if (await mailer.LoadAsync(membershipId, ct) is not { Status: "active" or "trialing", CancelAtPeriodEnd: false, CurrentPeriodEnd: { } paymentAt } m) return;
        if (await cards.NextPaymentCardAsync(m.SubscriptionId, m.CustomerId, ct) is not { } card || !card.ExpiresBefore(paymentAt))
        {
            log.LogInformation("Membership {MembershipId}: the next payment's card no longer runs out first; no reminder", membershipId);
            return;
        }
        var expires = new DateTime(card.ExpYear, card.ExpMonth, 1).ToString("MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        await mailer.SendOnceAsync($"{CardExpiringKind}:{card.PaymentMethodId}:{card.ExpYear:D4}-{card.ExpMonth:D2}", CardExpiringKind, m, "membership-card-expiring",
            j => j.CardExpiringAsync(membershipId, CancellationToken.None), ct,
            model => mailer.WithPaymentLinkAsync(m, model with { Card = card.Description, CardExpires = expires }, ct));
    }

    /// <summary>Jobs queued before the card's details were left out of the arguments: the card is read again all the same.</summary>
    [Obsolete("Queued by earlier versions only")]
    public Task CardExpiringAsync(long membershipId, string paymentMethodId, string card, int expYear, int expMonth, CancellationToken ct) =>
        CardExpiringAsync(membershipId, ct);

    public async Task CanceledAsync(long membershipId, CancellationToken ct)
    {
        // A gift that lapsed first (Stripe gave up) has had its one email: staff cancelling it afterwards adds none.
        if (await mailer.LoadAsync(membershipId, ct) is { } m
            && !await db.Notifications.AnyAsync(n => n.Key == $"{LapsedKind}:{m.SubscriptionId}" && n.SentAt != null, ct))
            await mailer.SendOnceAsync($"{CanceledKind}:{m.SubscriptionId}", CanceledKind, m, "membership-canceled",
                j => j.CanceledAsync(membershipId, CancellationToken.None), ct);
    }

    /// <summary>Stripe gave up collecting (canceled for a failed payment, or unpaid): "we couldn't renew", with the way back.</summary>
    public async Task LapsedAsync(long membershipId, CancellationToken ct)
    {
        if (await mailer.LoadAsync(membershipId, ct) is { } m && MembershipLapses.HasEnded(m.Status))
            await mailer.SendOnceAsync($"{LapsedKind}:{m.SubscriptionId}", LapsedKind, m, "membership-lapsed",
                j => j.LapsedAsync(membershipId, CancellationToken.None), ct);
    }

    /// <summary>
    /// One invitation back per lapse (the subscription is the lapse: a re-join is a new one), and
    /// none to a donor who has a monthly gift again.
    /// </summary>
    public async Task WinBackAsync(long membershipId, CancellationToken ct)
    {
        if (await mailer.LoadAsync(membershipId, ct) is not { } m || !MembershipLapses.HasEnded(m.Status)) return;
        if (await db.Memberships.AnyAsync(o => o.DonorId == m.DonorId && MembershipLapses.Current.Contains(o.Status), ct))
        {
            log.LogInformation("Donor {DonorId} gives monthly again; no win-back email for membership {MembershipId}", m.DonorId, membershipId);
            return;
        }
        await mailer.SendOnceAsync($"{WinBackKind}:{m.SubscriptionId}", WinBackKind, m, "membership-win-back",
            j => j.WinBackAsync(membershipId, CancellationToken.None), ct);
    }
}
