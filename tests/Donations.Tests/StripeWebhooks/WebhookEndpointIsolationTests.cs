using System.Net;
using Donations.Data.Entities;
using Donations.Tests.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.StripeWebhooks;

/// <summary>
/// The webhook endpoint verifies, records and answers: it calls neither Stripe, the mail server nor
/// Hangfire. With the dispatcher taken out (it runs beside the endpoint, not in it), every one of
/// the three is watched while events whose handlers would use all three are delivered.
/// </summary>
public sealed class WebhookEndpointIsolationTests
{
    [Fact]
    public async Task The_endpoint_answers_200_and_stores_events_without_calling_Stripe_the_mail_server_or_Hangfire()
    {
        var jobs = new RefusingJobClient();
        await using var app = await DonationsApp.StartAsync(o =>
        {
            o.UseSmtp = true;
            o.HangfireServer = false;
            o.ConfigureServices = services => services.AddSingleton<IBackgroundJobClient>(jobs);
            o.WithoutInboxDispatcher();
        });
        var gift = new OneTimeGift(Amount: 4200);
        var monthly = new MonthlyGift(Amount: 1500);
        // A gift (a receipt to mail), a renewal (looked up at Stripe), a refund and a dispute (their payment asked of Stripe).
        string[] events = [gift.CheckoutCompleted(), monthly.InvoicePaid(), gift.Refunded(1000), gift.Dispute("charge.dispute.created", "needs_response")];
        var stripeBefore = app.Stripe.Requests.Count;
        var jobsBefore = JobCount(app);
        var callsBefore = jobs.Calls;

        using var client = app.CreateClient(handleCookies: false);
        foreach (var json in events) Assert.Equal(HttpStatusCode.OK, await client.PostEventAsync(json));

        var rows = await app.WithDbAsync(db => db.StripeEvents.AsNoTracking().ToListAsync());
        Assert.Equal(events.Select(StripeEventFactory.IdOf).Order(), rows.Select(r => r.Id).Order());
        Assert.All(rows, r => Assert.Equal((StripeEventStatus.Received, (DateTime?)null), (r.Status, r.EnqueuedAt)));
        Assert.Equal(stripeBefore, app.Stripe.Requests.Count);
        Assert.Equal(0, app.Smtp!.Sessions);
        Assert.Equal(callsBefore, jobs.Calls);
        Assert.Equal(jobsBefore, JobCount(app));
        Assert.False(await app.WithDbAsync(db => db.Donations.AnyAsync()));
    }

    /// <summary>Every job Hangfire's storage holds, in any state.</summary>
    private static long JobCount(DonationsApp app)
    {
        var s = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().GetStatistics();
        return s.Enqueued + s.Scheduled + s.Processing + s.Succeeded + s.Failed + s.Deleted + (s.Awaiting ?? 0);
    }

    /// <summary>Hangfire's client as the endpoint would get it, refusing and counting every job.</summary>
    private sealed class RefusingJobClient : IBackgroundJobClient
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);

        public string Create(Job job, IState state)
        {
            Interlocked.Increment(ref _calls);
            throw new InvalidOperationException("Hangfire's storage is not to be touched by the webhook endpoint");
        }

        public bool ChangeState(string jobId, IState state, string expectedState)
        {
            Interlocked.Increment(ref _calls);
            throw new InvalidOperationException("Hangfire's storage is not to be touched by the webhook endpoint");
        }
    }
}
