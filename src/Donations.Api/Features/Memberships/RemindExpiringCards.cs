using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Jobs;
using Donations.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Daily: for each going monthly gift whose next payment falls within
/// <c>Memberships:CardExpiryReminderDays</c>, asks Stripe for the card that payment would use
/// (<see cref="MembershipCards"/>) and, when the card runs out before the payment date, asks for one
/// reminder with the card-update link. The job is given the membership id only: card details in its
/// arguments would sit in the jobs dashboard and its history, so the email job reads the card again.
/// Each next payment date is checked once (<c>Membership.CardCheckedFor</c>), so the scan asks Stripe
/// about a gift once a month at most (and the email job once more); the email itself is keyed by
/// card and expiry, so one card is mentioned once however often it is seen.
/// </summary>
public sealed class RemindExpiringCards(
    DonationsDbContext db, MembershipCards cards, IBackgroundJobClient jobs, TimeProvider clock,
    IOptions<MembershipsOptions> options, ILogger<RemindExpiringCards> log)
{
    public const string JobId = "memberships-card-expiry";
    private const int Limit = 500;

    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task RunAsync(CancellationToken ct)
    {
        var days = options.Value.CardExpiryReminderDays;
        if (days == 0) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var horizon = now.AddDays(days);
        var due = await db.Memberships.AsNoTracking()
            .Where(m => (m.Status == "active" || m.Status == "trialing") && !m.CancelAtPeriodEnd
                        && m.CurrentPeriodEnd > now && m.CurrentPeriodEnd <= horizon
                        && (m.CardCheckedFor == null || m.CardCheckedFor != m.CurrentPeriodEnd))
            .OrderBy(m => m.CurrentPeriodEnd).Take(Limit)
            .Select(m => new { m.Id, m.StripeSubscriptionId, m.StripeCustomerId, PaymentAt = m.CurrentPeriodEnd!.Value })
            .ToListAsync(ct);

        var reminded = 0;
        foreach (var m in due)
        {
            MembershipCards.Card? card;
            try
            {
                card = await cards.NextPaymentCardAsync(m.StripeSubscriptionId, m.StripeCustomerId, ct);
            }
            catch (StripeException e)
            {
                // Left unchecked: tomorrow's run asks again.
                log.LogWarning("Could not look up the card of membership {MembershipId}: {StripeCode}", m.Id, e.StripeError?.Code);
                continue;
            }
            if (card is not null && card.ExpiresBefore(m.PaymentAt))
            {
                jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j => j.CardExpiringAsync(m.Id, CancellationToken.None));
                reminded++;
            }
            await db.Memberships.Where(x => x.Id == m.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.CardCheckedFor, m.PaymentAt), ct);
        }
        if (due.Count > 0)
            log.LogInformation("Card expiry check: {Checked} monthly gifts due within {Days} days, {Reminded} cards run out first", due.Count, days, reminded);
    }
}
