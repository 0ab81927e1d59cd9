using Donations.Api.Features.DonorPortal;
using Donations.Api.Infrastructure;
using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;

namespace Donations.Api.Features.Privacy;

/// <summary>
/// Privacy requests: a donor downloads everything held about them from the portal; staff erase a
/// donor (command line or Admin page), keeping the tax records for <c>Privacy:RetentionYears</c>;
/// a daily job removes what remains once that has run out.
/// </summary>
public static class PrivacySetup
{
    public static WebApplicationBuilder AddPrivacy(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<DonorErasure>();
        services.AddScoped<EventPayloadScrub>();
        services.AddScoped<DonorDataEvents>();
        services.AddScoped<ClearStripeCustomers>();
        services.AddSingleton<PickupOutbox>();
        services.AddAfterCommit<ScrubLateEvents>();
        services.AddScoped<PurgeErasedDonors>();
        services.AddSingleton<IRecurringJobDefinition, PrivacySchedule>();
        services.AddSingleton<ICliCommand, DonorsCommand>();
        services.AddSingleton<DataDownloadLimits>();
        return builder;
    }

    public static WebApplication MapPrivacy(this WebApplication app)
    {
        app.MapGet("/manage/account/data.zip", DownloadDonorData.Handle).RequireAuthorization(DonorAuthentication.Policy).ExcludeFromDescription();
        EraseDonorPage.Map(app);
        return app;
    }
}
