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

    /// <summary>One pass of the minutely safety net; the work it schedules runs on Hangfire's workers.</summary>
    public static async Task SweepReceiptsAsync(this DonationsApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReceiptsSweeper>().RunAsync(CancellationToken.None);
    }

    public static async Task SendPendingAsync(this DonationsApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SendPendingReceipts>().RunAsync(CancellationToken.None);
    }
}
