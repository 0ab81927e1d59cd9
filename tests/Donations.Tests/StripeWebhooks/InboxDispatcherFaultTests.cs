using System.Net;
using Donations.Api.Features.StripeWebhooks;
using Donations.Data;
using Donations.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// The dispatcher's claim → enqueue step, driven by hand so each fault lands exactly where it is
/// meant to: no event is left claimed and never enqueued, and no event is enqueued twice.
/// </summary>
public sealed class InboxDispatcherFaultTests
{
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task An_enqueue_that_throws_hands_the_claimed_events_back_at_once_and_the_next_pass_enqueues_each_once(DatabaseProvider provider)
    {
        await using var app = await StartWithoutDispatcherAsync(provider);
        var events = await DeliverAsync(app, 5);
        var storage = new FailingOnce(app.Services.GetRequiredService<IBackgroundJobClient>());
        var dispatcher = ActivatorUtilities.CreateInstance<InboxDispatcher>(app.Services, storage);

        await Assert.ThrowsAsync<InvalidOperationException>(() => dispatcher.DispatchBatchAsync(CancellationToken.None));
        // Released by the failing pass itself, not left for the sweeper's ten minutes.
        Assert.Equal(5, await app.WithDbAsync(db => db.StripeEvents.CountAsync(e => e.EnqueuedAt == null)));

        Assert.Equal(5, await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(0, await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(events.Order(), storage.Enqueued.Order());
    }

    [Fact]
    public async Task Two_nodes_dispatching_the_same_inbox_at_once_enqueue_each_event_exactly_once()
    {
        await using var app = await StartWithoutDispatcherAsync(DatabaseProvider.Postgres);
        var events = await DeliverAsync(app, 600);
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        var nodes = Enumerable.Range(0, 2).Select(_ => new FailingOnce(jobs, fail: false)).ToList();

        // Both nodes claim at the same moment (the first claims race on the same oldest rows), then
        // each drains until it finds nothing, on their own connections.
        var dispatchers = nodes.Select(node => ActivatorUtilities.CreateInstance<InboxDispatcher>(app.Services, node)).ToList();
        var start = new TaskCompletionSource();
        var running = dispatchers.Select(dispatcher => Task.Run(async () =>
        {
            await start.Task;
            while (await dispatcher.DispatchBatchAsync(CancellationToken.None) > 0) { }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(running);

        var enqueued = nodes.SelectMany(n => n.Enqueued).ToList();
        Assert.Equal(events.Order(), enqueued.Order());
    }

    /// <summary>An app with no Hangfire server and no dispatcher: inbox rows move only when a test moves them.</summary>
    internal static Task<DonationsApp> StartWithoutDispatcherAsync(DatabaseProvider provider, Action<IServiceCollection>? services = null) =>
        DonationsApp.StartAsync(o =>
        {
            o.Provider = provider;
            o.HangfireServer = false;
            o.ConfigureServices = s =>
            {
                foreach (var d in s.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(InboxDispatcher)).ToList())
                    s.Remove(d);
                services?.Invoke(s);
            };
        });

    private static async Task<List<string>> DeliverAsync(DonationsApp app, int count)
    {
        var events = Enumerable.Range(0, count).Select(i => new OneTimeGift(Amount: 1000 + i).CheckoutCompleted()).ToList();
        using var client = app.CreateClient(handleCookies: false);
        foreach (var json in events) Assert.Equal(HttpStatusCode.OK, await client.PostEventAsync(json));
        return events.Select(StripeEventFactory.IdOf).ToList();
    }

    /// <summary>Hangfire's own client, refusing the first job it is given when <c>fail</c>; records the events it enqueued.</summary>
    private sealed class FailingOnce(IBackgroundJobClient inner, bool fail = true) : IBackgroundJobClient
    {
        private int _calls;
        private readonly List<string> _enqueued = [];

        public IReadOnlyList<string> Enqueued { get { lock (_enqueued) return [.. _enqueued]; } }

        public string Create(Job job, IState state)
        {
            if (fail && Interlocked.Increment(ref _calls) == 1) throw new InvalidOperationException("Hangfire's storage refused the job");
            var id = inner.Create(job, state);
            lock (_enqueued) _enqueued.AddRange((string[])job.Args[0]);
            return id;
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => inner.ChangeState(jobId, state, expectedState);
    }
}
