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
/// whatever the number of failed retries), <c>canceled:&lt;subscription&gt;</c>, each worded by
/// its <c>membership-*.liquid</c> templates.
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
    IOptions<EmailOptions> emailOptions, ILogger<SendMembershipEmail> log)
{
    public const string WelcomeKind = "welcome";
    public const string PaymentFailedKind = "payment-failed";
    public const string CanceledKind = "canceled";

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

    /// <summary>Not when the invoice has been paid since (a retry worked) or the membership has ended.</summary>
    public async Task PaymentFailedAsync(long membershipId, string invoiceId, CancellationToken ct)
    {
        if (await LoadAsync(membershipId, ct) is not { } m) return;
        if (m.Status == "canceled" || await db.Donations.AnyAsync(d => d.StripeInvoiceId == invoiceId, ct))
        {
            log.LogInformation("Invoice {InvoiceId} of membership {MembershipId} is paid or the membership ended; no payment-failed email", invoiceId, membershipId);
            return;
        }
        await SendOnceAsync($"{PaymentFailedKind}:{invoiceId}", PaymentFailedKind, m, "membership-payment-failed",
            j => j.PaymentFailedAsync(membershipId, invoiceId, CancellationToken.None), ct);
    }

    public async Task CanceledAsync(long membershipId, CancellationToken ct)
    {
        if (await LoadAsync(membershipId, ct) is { } m)
            await SendOnceAsync($"{CanceledKind}:{m.SubscriptionId}", CanceledKind, m, "membership-canceled",
                j => j.CanceledAsync(membershipId, CancellationToken.None), ct);
    }

    private async Task<MembershipFacts?> LoadAsync(long membershipId, CancellationToken ct)
    {
        var facts = await db.Memberships.AsNoTracking().Where(m => m.Id == membershipId)
            .Select(m => new MembershipFacts(m.Id, m.DonorId, m.Donor!.Email, m.Donor.Name, m.StripeSubscriptionId,
                m.Status, m.Tier, m.MonthlyAmount, m.Currency, m.CurrentPeriodEnd))
            .SingleOrDefaultAsync(ct);
        if (facts is null) log.LogWarning("Membership {MembershipId} not found; no email sent", membershipId);
        return facts;
    }

    private async Task SendOnceAsync(
        string key, string kind, MembershipFacts m, string template, Expression<Func<SendMembershipEmail, Task>> again, CancellationToken ct)
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
            await mail.SendAsync(await mail.ComposeAsync(template, Model(m), new MailEnvelope(m.Email, m.Name, messageId)), ct);
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
            DonateUrl = $"{baseUrl}/donate",
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
