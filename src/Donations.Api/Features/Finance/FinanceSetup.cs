using Donations.Api.Features.Staff;
using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Finance;

/// <summary>
/// The books against the bank and against Stripe: each gift's Stripe fees and payout, payouts and
/// their journal, the drift report, and the revenue page.
/// </summary>
public static class FinanceSetup
{
    public static WebApplicationBuilder AddFinance(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var options = services.AddOptions<FinanceOptions>().BindConfiguration(FinanceOptions.Section).ValidateDataAnnotations()
            .Validate(o => IsCron(o.DriftCron), "Finance:DriftCron must be a cron expression (5 fields, or 6 with seconds).")
            .Validate(o => IsCron(o.SettlementCron), "Finance:SettlementCron must be a cron expression (5 fields, or 6 with seconds).")
            .Validate(o => IsCron(o.RevenueRollupCron), "Finance:RevenueRollupCron must be a cron expression (5 fields, or 6 with seconds).");
        foreach (var (key, _) in new FinanceAccounts().All())
            options.Validate(o => !string.IsNullOrWhiteSpace(o.Accounts.All().Single(a => a.Key == key).Value),
                $"Finance:Accounts:{key} is required: the ledger account the payout journal books to.");
        options.ValidateOnStart();

        services.AddScoped<BalanceTransactionBook>();
        services.AddScoped<FetchGiftSettlement>();
        services.AddScoped<Receipts.IGiftSettlementReader>(sp => sp.GetRequiredService<FetchGiftSettlement>());
        services.AddScoped<SweepGiftSettlements>();
        services.AddScoped<SyncPayout>();
        services.AddScoped<RunDriftReport>();
        services.AddScoped<ReplayMissingGift>();
        services.AddScoped<RevenueFigures>();
        services.AddScoped<RevenueRollup>();
        services.AddAfterCommit<RevenueRollupFollowsGifts>();
        services.AddBeforeCommit<MembershipAmountHistory>();
        services.AddBeforeCommit<MembershipStatusHistory>();
        services.AddAfterCommit<MembershipPaymentFailures>();
        services.AddSingleton<IRecurringJobDefinition, FinanceRecurringJobs>();

        // Stripe events this feature handles itself.
        services.AddStripeEventHandler<PayoutReported>();
        return builder;
    }

    public static WebApplication MapFinance(this WebApplication app)
    {
        var finance = app.MapGroup("/api/finance").RequireAuthorization(StaffPolicies.Finance);
        var admin = app.MapGroup("/api/finance").RequireAuthorization(StaffPolicies.Admin);
        PayoutsExport.Map(finance);
        Form990Export.Map(finance);
        JournalExport.Map(finance);
        DriftApi.Map(finance, admin);
        RevenuePage.Map(app);
        return app;
    }

    /// <summary>Five fields (or six, with seconds) of cron syntax; Hangfire parses the rest when it registers the job.</summary>
    private static bool IsCron(string? value)
    {
        var fields = value?.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) ?? [];
        return fields.Length is 5 or 6 && fields.All(f => f.All(c => char.IsAsciiLetterOrDigit(c) || c is '*' or '/' or ',' or '-' or '?' or '#'));
    }
}

internal sealed class FinanceRecurringJobs(IOptions<FinanceOptions> options) : IRecurringJobDefinition
{
    public void Register(IRecurringJobManager jobs)
    {
        jobs.AddOrUpdate<SweepGiftSettlements>(SweepGiftSettlements.RecurringJobId, JobQueues.Default, j => j.RunAsync(),
            options.Value.SettlementCron);
        jobs.AddOrUpdate<RunDriftReport>(RunDriftReport.RecurringJobId, JobQueues.Default, j => j.RunAsync(null), options.Value.DriftCron);
        jobs.AddOrUpdate<RevenueRollup>(RevenueRollup.RecurringJobId, JobQueues.Default, j => j.RunAsync(), options.Value.RevenueRollupCron);
    }
}
