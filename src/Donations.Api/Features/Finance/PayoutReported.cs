using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;
using Stripe;

namespace Donations.Api.Features.Finance;

/// <summary>
/// <c>payout.paid</c> and <c>payout.reconciliation_completed</c>: a bank deposit landed, or
/// Stripe finished attributing transactions to it; <c>payout.failed</c> and <c>payout.canceled</c>:
/// it did not, or no longer counts (a paid payout can still fail days later). Either way the payout
/// and its balance transactions are read again by <see cref="SyncPayout"/>, which takes the payout's
/// status from Stripe, so the job does not depend on this event's commit and repeating it is harmless.
/// </summary>
public sealed class PayoutReported(IBackgroundJobClient jobs, ILogger<PayoutReported> log) : IStripeEventHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = ["payout.paid", "payout.reconciliation_completed", "payout.failed", "payout.canceled"];

    public Task<StripeEventOutcome> HandleAsync(Event stripeEvent, StripeEventEffects effects, CancellationToken ct)
    {
        var payout = (Payout)stripeEvent.Data.Object;
        jobs.Enqueue<SyncPayout>(JobQueues.Default, j => j.RunAsync(payout.Id));
        log.LogInformation("Payout {PayoutId} ({EventType}): listing its balance transactions", payout.Id, stripeEvent.Type);
        return Task.FromResult(StripeEventOutcome.Processed);
    }
}
