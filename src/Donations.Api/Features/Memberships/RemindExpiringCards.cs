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
/// <c>Memberships:CardExpiryReminderDays</c>, asks Stripe for the card that payment would use (the
/// subscription's <c>default_payment_method</c>, else the customer's
/// <c>invoice_settings.default_payment_method</c>) and, when the card runs out before the payment
/// date, asks for one reminder with the card-update link. Each next payment date is checked once
/// (<c>Membership.CardCheckedFor</c>), so Stripe is asked about a gift once a month at most; the
/// email itself is keyed by card and expiry, so one card is mentioned once however often it is seen.
/// </summary>
public sealed class RemindExpiringCards(
    DonationsDbContext db, IStripeClient stripe, IBackgroundJobClient jobs, TimeProvider clock,
    IOptions<MembershipsOptions> options, ILogger<RemindExpiringCards> log)
{
    public const string JobId = "memberships-card-expiry";
    private const int Limit = 500;

    public sealed record Card(string PaymentMethodId, string Description, int ExpYear, int ExpMonth)
    {
        /// <summary>A card works through the last day of its expiry month.</summary>
        public bool ExpiresBefore(DateTime paymentUtc) => new DateTime(ExpYear, ExpMonth, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1) <= paymentUtc;
    }

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
            Card? card;
            try
            {
                card = await CardAsync(m.StripeSubscriptionId, m.StripeCustomerId, ct);
            }
            catch (StripeException e)
            {
                // Left unchecked: tomorrow's run asks again.
                log.LogWarning("Could not look up the card of membership {MembershipId}: {StripeCode}", m.Id, e.StripeError?.Code);
                continue;
            }
            if (card is not null && card.ExpiresBefore(m.PaymentAt))
            {
                jobs.Enqueue<SendMembershipEmail>(JobQueues.Email, j =>
                    j.CardExpiringAsync(m.Id, card.PaymentMethodId, card.Description, card.ExpYear, card.ExpMonth, CancellationToken.None));
                reminded++;
            }
            await db.Memberships.Where(x => x.Id == m.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.CardCheckedFor, m.PaymentAt), ct);
        }
        if (due.Count > 0)
            log.LogInformation("Card expiry check: {Checked} monthly gifts due within {Days} days, {Reminded} cards run out first", due.Count, days, reminded);
    }

    private async Task<Card?> CardAsync(string subscriptionId, string? customerId, CancellationToken ct)
    {
        var subscription = await new SubscriptionService(stripe).GetAsync(subscriptionId,
            new SubscriptionGetOptions { Expand = ["default_payment_method"] }, cancellationToken: ct);
        var method = subscription.DefaultPaymentMethod;
        if (method is null && (customerId ?? subscription.CustomerId) is { } customer)
            method = (await new CustomerService(stripe).GetAsync(customer,
                new CustomerGetOptions { Expand = ["invoice_settings.default_payment_method"] }, cancellationToken: ct))
                .InvoiceSettings?.DefaultPaymentMethod;
        return method?.Card is { } c
            ? new Card(method.Id, $"{Brand(c.Brand)} ending {c.Last4}", (int)c.ExpYear, (int)c.ExpMonth)
            : null;
    }

    private static string Brand(string? brand) => brand switch
    {
        "amex" => "American Express",
        "diners" => "Diners Club",
        "mastercard" => "Mastercard",
        "unionpay" => "UnionPay",
        "jcb" => "JCB",
        null or "" or "unknown" => "Card",
        _ => char.ToUpperInvariant(brand[0]) + brand[1..],
    };
}
