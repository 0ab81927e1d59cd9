using Donations.Api.Features.Receipts;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;
using Donations.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Donations.Tests.Receipts;

/// <summary>Runs the receipt jobs in the test, each in its own scope as a Hangfire worker would.</summary>
public static class Jobs
{
    public static async Task ReconcileAsync(this DonationsApp app, long donationId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReconcileReceipts>().RunAsync(donationId, CancellationToken.None);
    }

    /// <summary>Waits until Hangfire has nothing queued or running, twice in a row.</summary>
    public static async Task WaitForIdleJobsAsync(this DonationsApp app)
    {
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var quietPolls = 0;
        await Wait.UntilAsync(() =>
        {
            var idle = monitoring.ProcessingCount() == 0 && JobQueues.All.All(q => monitoring.EnqueuedCount(q) == 0);
            quietPolls = idle ? quietPolls + 1 : 0;
            return Task.FromResult(quietPolls >= 10);
        }, TimeSpan.FromSeconds(60), "Hangfire to finish every queued job");
    }

    public static async Task SendPendingAsync(this DonationsApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SendPendingReceipts>().RunAsync(CancellationToken.None);
    }
}
