using System.Linq.Expressions;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Data;
using Donations.Api.Infrastructure.Email;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Donations.Data.Entities;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Sends one membership lifecycle email per occasion, keyed in <see cref="Notification"/>:
/// <c>welcome:&lt;subscription&gt;</c>, <c>payment-failed:&lt;invoice&gt;</c> (one per invoice,
/// whatever the number of failed retries), <c>card-expiring:&lt;payment method&gt;:&lt;yyyy-mm&gt;</c>,
/// <c>canceled:&lt;subscription&gt;</c>, <c>lapsed:&lt;subscription&gt;</c> (Stripe gave up collecting) and
/// <c>win-back:&lt;subscription&gt;</c>, each worded by its <c>membership-*.liquid</c> templates.
///
/// Claim, send, mark, like receipts and statements: the row is created once with its Message-Id
/// (its unique key settles races between jobs), claimed with a lease by a conditional update,
/// sent with no transaction open, then marked sent. A second job for the same occasion finds the
/// row sent, or held and leaves it to the holder, which retries if the send fails; in case the
/// holder's process died instead, it asks to look again once the lease has run out.
/// Only a crash between the server's acceptance and the mark can send twice, and then with the
/// same Message-Id, which mail clients treat as one message.
/// </summary>
public sealed class SendMembershipEmail(
    DonationsDbContext db, OutboundMail mail, IBackgroundJobClient jobs, TimeProvider clock,
    IOptions<OrganizationOptions> org, IOptions<DonationsOptions> donations, IOptions<MembershipsOptions> memberships,
    IOptions<EmailOptions> emailOptions, PaymentFailureFacts failures, IPaymentMethodLinks paymentLinks, ILogger<SendMembershipEmail> log)
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
        if (await LoadAsync(membershipId, ct) is not { } m) return;
        if (!await db.Donations.AnyAsync(d => d.MembershipId == membershipId, ct))
        {
            log.LogDebug("Membership {MembershipId} has no payment yet; welcome waits for it", membershipId);
            return;
        }
        await SendOnceAsync($"{WelcomeKind}:{m.SubscriptionId}", WelcomeKind, m, "membership-welcome",
            j => j.WelcomeAsync(membershipId, CancellationToken.None), ct);
    }

    /// <summary>
    /// Not when the invoice has been paid since (a retry worked) or the membership has ended. Says
    /// why the bank declined and when Stripe tries again, and carries a link to the card update.
    /// </summary>
    public async Task PaymentFailedAsync(long membershipId, string invoiceId, CancellationToken ct)
    {
        if (await LoadAsync(membershipId, ct) is not { } m) return;
        var key = $"{PaymentFailedKind}:{invoiceId}";
        if (m.Status == "canceled" || await db.Donations.AnyAsync(d => d.StripeInvoiceId == invoiceId, ct)
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
        await SendOnceAsync(key, PaymentFailedKind, m, "membership-payment-failed",
            j => j.PaymentFailedAsync(membershipId, invoiceId, CancellationToken.None), ct,
            async model => await WithPaymentLinkAsync(m, model with
            {
                DeclineReason = DeclineReasons.Describe(facts.DeclineCode),
                NextAttempt = facts.NextAttempt is { } next ? Dates.Long(next, zone) : null,
            }, ct));
    }

    /// <summary>The card the next payment would use expires before it: one reminder per card and expiry.</summary>
    public async Task CardExpiringAsync(long membershipId, string paymentMethodId, string card, int expYear, int expMonth, CancellationToken ct)
    {
        if (await LoadAsync(membershipId, ct) is not { Status: "active" or "trialing" } m) return;
        var expires = new DateTime(expYear, expMonth, 1).ToString("MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        await SendOnceAsync($"{CardExpiringKind}:{paymentMethodId}:{expYear:D4}-{expMonth:D2}", CardExpiringKind, m, "membership-card-expiring",
            j => j.CardExpiringAsync(membershipId, paymentMethodId, card, expYear, expMonth, CancellationToken.None), ct,
            model => WithPaymentLinkAsync(m, model with { Card = card, CardExpires = expires }, ct));
    }

    public async Task CanceledAsync(long membershipId, CancellationToken ct)
    {
        if (await LoadAsync(membershipId, ct) is { } m)
            await SendOnceAsync($"{CanceledKind}:{m.SubscriptionId}", CanceledKind, m, "membership-canceled",
                j => j.CanceledAsync(membershipId, CancellationToken.None), ct);
    }

    /// <summary>Stripe gave up collecting (canceled for a failed payment, or unpaid): "we couldn't renew", with the way back.</summary>
    public async Task LapsedAsync(long membershipId, CancellationToken ct)
    {
        if (await LoadAsync(membershipId, ct) is { } m && MembershipLapses.HasEnded(m.Status))
            await SendOnceAsync($"{LapsedKind}:{m.SubscriptionId}", LapsedKind, m, "membership-lapsed",
                j => j.LapsedAsync(membershipId, CancellationToken.None), ct);
    }

    /// <summary>
    /// One invitation back per lapse (the subscription is the lapse: a re-join is a new one), and
    /// none to a donor who has a monthly gift again.
    /// </summary>
    public async Task WinBackAsync(long membershipId, CancellationToken ct)
    {
        if (await LoadAsync(membershipId, ct) is not { } m || !MembershipLapses.HasEnded(m.Status)) return;
        if (await db.Memberships.AnyAsync(o => o.DonorId == m.DonorId && MembershipLapses.Current.Contains(o.Status), ct))
        {
            log.LogInformation("Donor {DonorId} gives monthly again; no win-back email for membership {MembershipId}", m.DonorId, membershipId);
            return;
        }
        await SendOnceAsync($"{WinBackKind}:{m.SubscriptionId}", WinBackKind, m, "membership-win-back",
            j => j.WinBackAsync(membershipId, CancellationToken.None), ct);
    }

    private async Task<MembershipFacts?> LoadAsync(long membershipId, CancellationToken ct)
    {
        var facts = await db.Memberships.AsNoTracking().Where(m => m.Id == membershipId)
            .Select(m => new MembershipFacts(m.Id, m.DonorId, m.Donor!.Email, m.Donor.Name, m.StripeSubscriptionId,
                m.Status, m.Tier, m.MonthlyAmount, m.Currency, m.CurrentPeriodEnd) { CustomerId = m.StripeCustomerId })
            .SingleOrDefaultAsync(ct);
        if (facts is null) log.LogWarning("Membership {MembershipId} not found; no email sent", membershipId);
        return facts;
    }

    private async Task<MembershipEmailModel> WithPaymentLinkAsync(MembershipFacts m, MembershipEmailModel model, CancellationToken ct)
    {
        if (m.CustomerId is null) return model;
        var days = (int)Math.Round(paymentLinks.Lifetime.TotalDays);
        return model with
        {
            UpdatePaymentUrl = await paymentLinks.IssueAsync(m.DonorId, m.CustomerId, ct),
            UpdatePaymentValidFor = days == 1 ? "1 day" : $"{days} days",
        };
    }

    /// <param name="complete">Adds what only this occasion says; runs once the occasion is claimed, so a skipped email issues no link.</param>
    private async Task SendOnceAsync(
        string key, string kind, MembershipFacts m, string template, Expression<Func<SendMembershipEmail, Task>> again, CancellationToken ct,
        Func<MembershipEmailModel, Task<MembershipEmailModel>>? complete = null)
    {
        await EnsureRowAsync(key, kind, m, ct);

        var now = clock.GetUtcNow().UtcDateTime;
        var lease = emailOptions.Value.Smtp.ClaimLease;
        var claimed = await db.Notifications
            .Where(n => n.Key == key && n.SentAt == null && (n.ClaimedUntil == null || n.ClaimedUntil < now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(n => n.Attempts, n => n.Attempts + 1)
                .SetProperty(n => n.ClaimedUntil, now + lease), ct);
        if (claimed == 0)
        {
            if (await db.Notifications.AnyAsync(n => n.Key == key && n.SentAt == null, ct))
            {
                // Held by another job, most likely sending it right now; if that job died, no one else would ask.
                jobs.Schedule(JobQueues.Email, again, lease);
                log.LogDebug("Notification {Key} is being sent by another job; looking again after its lease", key);
            }
            return;
        }
        var messageId = await db.Notifications.Where(n => n.Key == key).Select(n => n.MessageId).SingleAsync(ct);
        try
        {
            var model = complete is null ? Model(m) : await complete(Model(m));
            await mail.SendAsync(await mail.ComposeAsync(template, model, new MailEnvelope(m.Email, m.Name, messageId)), ct);
        }
        catch (Exception ex)
        {
            await ReleaseAsync(key, ex);
            if (ex is EmailRejectedException)
            {
                // The address refuses mail for good; retrying would only repeat the refusal.
                log.LogWarning("Mail server refused {Kind} email for membership {MembershipId}", kind, m.MembershipId);
                return;
            }
            throw;
        }
        // Not cancellable: the message is out, and the marker must say so.
        await db.Notifications.Where(n => n.Key == key)
            .ExecuteUpdateAsync(s => s
                .SetProperty(n => n.SentAt, clock.GetUtcNow().UtcDateTime)
                .SetProperty(n => n.ClaimedUntil, (DateTime?)null)
                .SetProperty(n => n.LastError, (string?)null), CancellationToken.None);
        log.LogInformation("Sent {Kind} email for membership {MembershipId} to donor {DonorId}", kind, m.MembershipId, m.DonorId);
    }

    private MembershipEmailModel Model(MembershipFacts m)
    {
        var baseUrl = donations.Value.PublicBaseUrl.TrimEnd('/');
        var benefits = memberships.Value.Tiers.FirstOrDefault(t => t.Name == m.Tier)?.Benefits;
        return new MembershipEmailModel
        {
            OrganizationName = org.Value.Name,
            DonorName = string.IsNullOrWhiteSpace(m.Name) ? null : m.Name,
            Amount = Money.Format(m.MonthlyAmount, m.Currency),
            Tier = string.IsNullOrWhiteSpace(m.Tier) ? null : m.Tier,
            Benefits = string.IsNullOrWhiteSpace(benefits) ? null : benefits,
            ManageUrl = $"{baseUrl}/manage",
            // A member who has left is offered their own gift again; anyone else the plain form.
            DonateUrl = MembershipLapses.HasEnded(m.Status) ? MembershipLapses.DonateAgainUrl(baseUrl, m.MonthlyAmount, m.Currency) : $"{baseUrl}/donate",
        };
    }

    /// <summary>Creates the notification row with its Message-Id, unless another job got there first.</summary>
    private async Task EnsureRowAsync(string key, string kind, MembershipFacts m, CancellationToken ct)
    {
        if (await db.Notifications.AnyAsync(n => n.Key == key, ct)) return;
        await RowClaims.TryInsertAsync(db, d => d.Notifications.Add(new Notification
        {
            Key = key,
            Kind = kind,
            DonorId = m.DonorId,
            // Chosen once, before the first attempt: a resend after a crash keeps it.
            MessageId = mail.NewMessageId($"{kind}-{m.MembershipId}"),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        }), ct);
    }

    /// <summary>Gives the occasion back, with the reason, to the next job that asks for it.</summary>
    private Task ReleaseAsync(string key, Exception ex) =>
        db.Notifications.Where(n => n.Key == key && n.SentAt == null).ExecuteUpdateAsync(s => s
            .SetProperty(n => n.ClaimedUntil, (DateTime?)null)
            .SetProperty(n => n.LastError, ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message), CancellationToken.None);
}
