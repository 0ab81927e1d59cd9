using Donations.Api.Infrastructure.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Foundation;

public sealed class AfterCommitPublisherTests
{
    private sealed record Paid(int Id) : IDomainEvent;
    private sealed record Refunded(int Id) : IDomainEvent;
    private sealed record Unheard(int Id) : IDomainEvent;

    private sealed class Journal
    {
        public List<string> Calls { get; } = [];
    }

    private sealed class Ledger(Journal journal) : IAfterCommit<Paid>, IAfterCommit<Refunded>
    {
        public Task AfterCommitAsync(IReadOnlyList<Paid> events, CancellationToken ct)
        {
            journal.Calls.Add($"ledger {this.GetHashCode()} paid {string.Join(",", events.Select(e => e.Id))}");
            return Task.CompletedTask;
        }

        public Task AfterCommitAsync(IReadOnlyList<Refunded> events, CancellationToken ct)
        {
            journal.Calls.Add($"ledger {this.GetHashCode()} refunded {string.Join(",", events.Select(e => e.Id))}");
            return Task.CompletedTask;
        }
    }

    private sealed class Thanks(Journal journal) : IAfterCommit<Paid>
    {
        public Task AfterCommitAsync(IReadOnlyList<Paid> events, CancellationToken ct)
        {
            journal.Calls.Add($"thanks paid {string.Join(",", events.Select(e => e.Id))}");
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Each_subscriber_gets_its_kind_once_per_publish_in_order_of_first_appearance_without_duplicates()
    {
        var services = new ServiceCollection();
        services.AddSingleton<Journal>();
        services.AddAfterCommit<Ledger>();
        services.AddAfterCommit<Thanks>();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();

        await scope.ServiceProvider.GetRequiredService<AfterCommitPublisher>().PublishAsync(
            [new Refunded(7), new Paid(1), new Unheard(3), new Paid(2), new Refunded(7), new Paid(1)], CancellationToken.None);

        var ledger = scope.ServiceProvider.GetRequiredService<Ledger>().GetHashCode();
        Assert.Equal(
        [
            $"ledger {ledger} refunded 7",
            $"ledger {ledger} paid 1,2",
            "thanks paid 1,2",
        ], provider.GetRequiredService<Journal>().Calls);
    }

    [Fact]
    public async Task Gathered_work_goes_at_once_outside_a_batch_and_once_for_the_whole_batch_at_its_close()
    {
        var batch = new AfterCommitBatch();
        var flushed = new List<string>();
        Task Flush(IReadOnlyList<int> items, CancellationToken _)
        {
            flushed.Add(string.Join(",", items));
            return Task.CompletedTask;
        }
        var holder = new object();

        await batch.GatherAsync(holder, [1, 2], Flush, CancellationToken.None);
        Assert.Equal(["1,2"], flushed);

        batch.Open();
        await batch.GatherAsync(holder, [3], Flush, CancellationToken.None);
        await batch.GatherAsync(holder, [4, 5], Flush, CancellationToken.None);
        Assert.Equal(["1,2"], flushed);
        await batch.CloseAsync(CancellationToken.None);
        Assert.Equal(["1,2", "3,4,5"], flushed);

        // The next batch starts empty.
        batch.Open();
        await batch.GatherAsync(holder, [6], Flush, CancellationToken.None);
        await batch.CloseAsync(CancellationToken.None);
        Assert.Equal(["1,2", "3,4,5", "6"], flushed);
    }

    [Fact]
    public async Task A_release_that_fails_at_the_end_of_a_batch_stops_none_of_the_others_and_is_thrown()
    {
        var batch = new AfterCommitBatch();
        var released = new List<string>();
        batch.Open();
        await batch.GatherAsync(new object(), ["wake"], (_, _) => throw new InvalidOperationException("database away"), CancellationToken.None);
        await batch.GatherAsync(new object(), ["receipts"], (items, _) => { released.AddRange(items); return Task.CompletedTask; }, CancellationToken.None);

        var thrown = await Assert.ThrowsAsync<AggregateException>(() => batch.CloseAsync(CancellationToken.None));

        Assert.Equal(["receipts"], released);
        Assert.Equal("database away", Assert.Single(thrown.InnerExceptions).Message);
    }
}
