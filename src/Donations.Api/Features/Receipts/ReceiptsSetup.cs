using Donations.Api.Features.Staff;
using Donations.Api.Infrastructure.Documents;
using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;

namespace Donations.Api.Features.Receipts;

public static class ReceiptsSetup
{
    public static WebApplicationBuilder AddReceipts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddDocuments();
        services.AddOptions<ReceiptsOptions>().BindConfiguration(ReceiptsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReceiptScheduler>();
        services.AddScoped<ReceiptNumbers>();
        services.AddScoped<ReceiptMessages>();
        services.AddScoped<ReconcileReceipts>();
        services.AddScoped<ReceiptClaims>();
        services.AddScoped<SendPendingReceipts>();
        services.AddScoped<SendReceiptCopy>();
        services.AddScoped<ReceiptsSweeper>();
        services.AddSingleton<IRecurringJobDefinition, ReceiptsSweeperSchedule>();
        services.AddAfterCommit<ScheduleReceipts>();
        return builder;
    }

    public static WebApplication MapReceipts(this WebApplication app)
    {
        var finance = app.MapGroup("/api/finance/receipts").RequireAuthorization(StaffPolicies.Finance);
        finance.MapGet("/{number}", GetReceipt.HandleAsync);
        finance.MapPost("/{number}/resend", ResendReceipt.HandleAsync);
        return app;
    }
}
