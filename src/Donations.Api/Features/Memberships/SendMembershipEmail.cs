using Donations.Api.Infrastructure.Email;
using Donations.Data;
using Donations.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Sends one membership lifecycle email per occasion, keyed in <see cref="Notification"/>:
/// <c>welcome:&lt;subscription&gt;</c>, <c>payment-failed:&lt;invoice&gt;</c> (one per invoice,
/// whatever the number of failed retries), <c>canceled:&lt;subscription&gt;</c>.
///
/// Claim, send, mark: the row is created once (its unique key settles races between jobs), then
/// a conditional update on the unsent row opens a transaction that holds the row's write lock
/// while the message is handed to the mail server, and the same transaction marks it sent. A
/// second job for the same occasion waits on that lock and then finds it sent. Only a crash
/// between the server's acceptance and the commit can send twice, and then with the same
/// Message-Id, which mail clients treat as one message.
/// </summary>
public sealed class SendMembershipEmail(
    DonationsDbContext db, IEmailSender sender, MembershipEmails emails, TimeProvider clock,
    IOptions<Infrastructure.Configuration.EmailOptions> emailOptions, ILogger<SendMembershipEmail> log)
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
        await SendOnceAsync($"{WelcomeKind}:{m.SubscriptionId}", WelcomeKind, m, emails.Welcome, ct);
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
        await SendOnceAsync($"{PaymentFailedKind}:{invoiceId}", PaymentFailedKind, m, emails.PaymentFailed, ct);
    }

    public async Task CanceledAsync(long membershipId, CancellationToken ct)
    {
        if (await LoadAsync(membershipId, ct) is { } m)
            await SendOnceAsync($"{CanceledKind}:{m.SubscriptionId}", CanceledKind, m, emails.Canceled, ct);
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

    private async Task SendOnceAsync(string key, string kind, MembershipFacts m, Func<MembershipFacts, string, MimeMessage> compose, CancellationToken ct)
    {
        await EnsureRowAsync(key, kind, m.DonorId, ct);

        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var claimed = await db.Notifications.Where(n => n.Key == key && n.SentAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.Attempts, n => n.Attempts + 1), ct);
            if (claimed == 0)
            {
                log.LogDebug("Notification {Key} already sent", key);
                return;
            }
            var messageId = await db.Notifications.Where(n => n.Key == key).Select(n => n.MessageId).SingleAsync(ct);
            try
            {
                await sender.SendAsync(compose(m, messageId), ct);
            }
            catch (Exception ex)
            {
                await tx.RollbackAsync(CancellationToken.None);
                await RecordFailureAsync(key, ex);
                if (ex is EmailRejectedException)
                {
                    // The address refuses mail for good; retrying would only repeat the refusal.
                    log.LogWarning("Mail server refused {Kind} email for membership {MembershipId}", kind, m.MembershipId);
                    return;
                }
                throw;
            }
            await db.Notifications.Where(n => n.Key == key)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.SentAt, clock.GetUtcNow().UtcDateTime).SetProperty(n => n.LastError, (string?)null), CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
        log.LogInformation("Sent {Kind} email for membership {MembershipId} to donor {DonorId}", kind, m.MembershipId, m.DonorId);
    }

    /// <summary>Creates the notification row with its Message-Id, unless another job got there first.</summary>
    private async Task EnsureRowAsync(string key, string kind, long donorId, CancellationToken ct)
    {
        if (await db.Notifications.AnyAsync(n => n.Key == key, ct)) return;
        var domain = MailboxAddress.Parse(emailOptions.Value.From).Domain;
        db.Notifications.Add(new Notification
        {
            Key = key,
            Kind = kind,
            DonorId = donorId,
            MessageId = MimeUtils.GenerateMessageId(domain),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent job inserting the same key is what the unique index is for; anything else is a real failure.
            db.ChangeTracker.Clear();
            if (!await db.Notifications.AnyAsync(n => n.Key == key, ct)) throw;
        }
        db.ChangeTracker.Clear();
    }

    private Task RecordFailureAsync(string key, Exception ex) =>
        db.Notifications.Where(n => n.Key == key).ExecuteUpdateAsync(s => s
            .SetProperty(n => n.Attempts, n => n.Attempts + 1)
            .SetProperty(n => n.LastError, ex.Message.Length > 2000 ? ex.Message[..2000] : ex.Message), CancellationToken.None);
}
