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
/// How every membership email goes out, whatever the occasion (<see cref="SendMembershipEmail"/>
/// says which and when): claim, send, mark, like receipts and statements. The
/// <see cref="Notification"/> row is created once with its Message-Id (its unique key settles races
/// between jobs), claimed with a lease by a conditional update, sent with no transaction open, then
/// marked sent. A second job for the same occasion finds the row sent, or held and leaves it to the
/// holder, which retries if the send fails; in case the holder's process died instead, it asks to
/// look again once the lease has run out. Only a crash between the server's acceptance and the mark
/// can send twice, and then with the same Message-Id, which mail clients treat as one message.
/// </summary>
public sealed class MembershipMailer(
    DonationsDbContext db, OutboundMail mail, IBackgroundJobClient jobs, TimeProvider clock,
    IOptions<OrganizationOptions> org, IOptions<DonationsOptions> donations, IOptions<MembershipsOptions> memberships,
    IOptions<EmailOptions> emailOptions, IPaymentMethodLinks paymentLinks, ILogger<MembershipMailer> log)
{
    /// <summary>Null when the membership is gone, or its donor was erased: nothing is sent to, or issued for, an erased donor.</summary>
    public async Task<MembershipFacts?> LoadAsync(long membershipId, CancellationToken ct)
    {
        var row = await db.Memberships.AsNoTracking().Where(m => m.Id == membershipId)
            .Select(m => new
            {
                Facts = new MembershipFacts(m.Id, m.DonorId, m.Donor!.Email, m.Donor.Name, m.StripeSubscriptionId,
                    m.Status, m.Tier, m.MonthlyAmount, m.Currency, m.CurrentPeriodEnd)
                { CustomerId = m.StripeCustomerId, CancelAtPeriodEnd = m.CancelAtPeriodEnd, Interval = m.Interval, FeeAmount = m.FeeAmount },
                Erased = m.Donor.ErasedAt != null,
            })
            .SingleOrDefaultAsync(ct);
        if (row is null) log.LogWarning("Membership {MembershipId} not found; no email sent", membershipId);
        else if (row.Erased) log.LogInformation("The donor of membership {MembershipId} was erased; no email sent", membershipId);
        return row is { Erased: false } ? row.Facts : null;
    }

    /// <summary>Adds a card-update link for the customer paying the gift.</summary>
    public async Task<MembershipEmailModel> WithPaymentLinkAsync(MembershipFacts m, MembershipEmailModel model, CancellationToken ct)
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
    public async Task SendOnceAsync(
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
        var ended = MembershipLapses.HasEnded(m.Status);
        var (offered, offeredFrequency) = MembershipLapses.GiftAgain(m.MonthlyAmount, m.FeeAmount, m.Interval, m.Currency, donations.Value.OffersAnnual);
        return new MembershipEmailModel
        {
            OrganizationName = org.Value.Name,
            DonorName = string.IsNullOrWhiteSpace(m.Name) ? null : m.Name,
            Amount = Money.Format(m.MonthlyAmount, m.Currency),
            Gift = MembershipLapses.GiftName(m.Interval),
            Tier = string.IsNullOrWhiteSpace(m.Tier) ? null : m.Tier,
            Benefits = string.IsNullOrWhiteSpace(benefits) ? null : benefits,
            ManageUrl = $"{baseUrl}/manage",
            // A member who has left is offered their own gift again; anyone else the plain form.
            DonateUrl = ended ? MembershipLapses.DonateAgainUrl(baseUrl, m.MonthlyAmount, m.FeeAmount, m.Interval, m.Currency, donations.Value.OffersAnnual) : $"{baseUrl}/donate",
            OfferedGift = ended ? $"{(offeredFrequency == "annual" ? "an" : "a")} {offeredFrequency} gift of {Money.Format(offered, m.Currency)}" : null,
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
