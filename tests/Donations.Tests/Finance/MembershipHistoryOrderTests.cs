using Donations.Api.Features.Memberships;
using Donations.Api.Infrastructure.Events;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Finance;

/// <summary>
/// A membership's amount and status history follows the order its changes commit in, however
/// late the work after each commit runs: two events of one subscription are often applied by two
/// jobs a moment apart, and the first one's follow-up may run after the second's.
/// </summary>
public sealed class MembershipHistoryOrderTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task An_upgrade_is_recorded_even_when_the_first_amounts_follow_up_runs_after_the_upgrades(DatabaseProvider provider)
    {
        var gate = new MembershipChangeGate();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = provider;
            // First among the subscribers, so it holds back every other one's follow-up of that commit.
            o.ConfigureServices = s => s.Insert(0, ServiceDescriptor.Scoped<IAfterCommit<MembershipChanged>>(_ => gate));
        });
        var gift = new MonthlyGift(Amount: 2000) { StartedAt = DateTimeOffset.UtcNow.AddMinutes(-30) };
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());

        // The subscription is created at 20.00; its job stops after the commit, before any follow-up.
        await app.DeliverAndProcessAsync(gift.SubscriptionCreated());
        await gate.Held.WaitAsync(TimeSpan.FromSeconds(30));
        // Meanwhile another job applies the donor's change to 35.00 and finishes.
        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "active", gift.StartedAt.AddMinutes(10), amount: 3500));
        gate.Release();
        await app.WaitForIdleJobsAsync();

        var amounts = await app.WithDbAsync(db => db.MembershipAmountChanges.OrderBy(c => c.ChangedAt)
            .Select(c => new { c.FromAmount, c.ToAmount, c.Upgrade }).ToListAsync());
        Assert.Equal([new { FromAmount = (long?)null, ToAmount = 2000L, Upgrade = false }, new { FromAmount = (long?)2000, ToAmount = 3500L, Upgrade = true }],
            amounts);
        var statuses = await app.WithDbAsync(db => db.MembershipStatusChanges.Select(c => c.Status).ToListAsync());
        Assert.Equal(["active"], statuses);
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task Two_jobs_applying_one_subscriptions_changes_at_once_leave_the_newer_change_and_a_history_that_follows_it(DatabaseProvider provider)
    {
        var gate = new MembershipChangeGate(amount: 1000);
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.Provider = provider;
            o.ConfigureServices = s => s.Insert(0, ServiceDescriptor.Scoped<IBeforeCommit<MembershipChanged>>(_ => gate));
        });
        var gift = new MonthlyGift(Amount: 5000) { StartedAt = DateTimeOffset.UtcNow.AddMinutes(-30) };
        await app.DeliverAndProcessAsync(gift.CheckoutCompleted());
        await app.DeliverAndProcessAsync(gift.SubscriptionCreated());

        // The donor lowers the gift to 10.00; the job applying it has read the membership and is
        // about to commit when another job applies the raise to 15.00 a minute later, and commits first.
        await app.DeliverAsync(gift.Subscription("customer.subscription.updated", "active", gift.StartedAt.AddMinutes(10), amount: 1000));
        await gate.Held.WaitAsync(TimeSpan.FromSeconds(30));
        var raisedAt = gift.StartedAt.AddMinutes(11);
        await app.DeliverAndProcessAsync(gift.Subscription("customer.subscription.updated", "active", raisedAt, amount: 1500));
        gate.Release();
        await app.WaitForIdleJobsAsync();

        // The older change lost the race, ran again on top of the newer one and changed nothing.
        var membership = await app.WithDbAsync(db => db.Memberships.SingleAsync(m => m.StripeSubscriptionId == gift.SubscriptionId));
        Assert.Equal(1500, membership.MonthlyAmount);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(raisedAt.ToUnixTimeSeconds()).UtcDateTime, membership.LastEventAt);
        var amounts = await app.WithDbAsync(db => db.MembershipAmountChanges.OrderBy(c => c.ChangedAt)
            .Select(c => new { c.FromAmount, c.ToAmount }).ToListAsync());
        Assert.Equal([new { FromAmount = (long?)null, ToAmount = 5000L }, new { FromAmount = (long?)5000, ToAmount = 1500L }], amounts);
    }

    /// <summary>
    /// Holds the first membership change it sees (of the amount given, if one is) until released:
    /// before its commit as a before-commit subscriber, or before any follow-up as the first after-commit one.
    /// </summary>
    private sealed class MembershipChangeGate(long? amount = null) : IBeforeCommit<MembershipChanged>, IAfterCommit<MembershipChanged>
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Task Held => _held.Task;
        public void Release() => _released.TrySetResult();

        public Task BeforeCommitAsync(IReadOnlyList<MembershipChanged> events, CancellationToken ct) => HoldAsync(events, ct);
        public Task AfterCommitAsync(IReadOnlyList<MembershipChanged> events, CancellationToken ct) => HoldAsync(events, ct);

        private async Task HoldAsync(IReadOnlyList<MembershipChanged> events, CancellationToken ct)
        {
            if (amount is { } a && events.All(e => e.Membership.MonthlyAmount != a)) return;
            if (Interlocked.Increment(ref _calls) != 1) return;
            _held.TrySetResult();
            await _released.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        }
    }
}
