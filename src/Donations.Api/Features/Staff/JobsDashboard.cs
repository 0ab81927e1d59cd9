using System.Security.Claims;
using Donations.Data.Entities;
using Hangfire;
using Hangfire.Dashboard;

namespace Donations.Api.Features.Staff;

/// <summary>
/// The Hangfire dashboard for staff. Two locks, either of which refuses an anonymous request:
/// the endpoint requires the <see cref="StaffPolicies.Finance"/> policy (so every dashboard URL,
/// the JSON stats included, needs the staff cookie), and Hangfire's own filter list holds only
/// <see cref="StaffDashboardAuthorization"/>. Hangfire's default local-requests filter is replaced,
/// never kept: it would let anything on the box in. Finance sees it read-only; only Admin may post
/// commands (retry, delete, trigger).
/// </summary>
internal static class JobsDashboard
{
    public static void Map(WebApplication app, string path, string organizationName) =>
        app.MapHangfireDashboard(path, new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new StaffDashboardAuthorization()],
            IsReadOnlyFunc = context => !IsAdmin(context.GetHttpContext().User),
            DashboardTitle = $"{organizationName} — jobs",
            AppPath = StaffAuthentication.HomePath,
            DisplayStorageConnectionString = false,
        }) // no storage argument: Hangfire then takes this host's JobStorage, after configuring its logging for this host
        .RequireAuthorization(StaffPolicies.Finance);

    internal static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(StaffRoles.Admin);

    internal static bool IsStaff(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && StaffRoles.All.Any(user.IsInRole);
}

/// <summary>
/// Staff only; anything but reading needs Admin. The live statistics poll is a POST that changes
/// nothing, so read-only staff may make it.
/// </summary>
internal sealed class StaffDashboardAuthorization : IDashboardAsyncAuthorizationFilter
{
    public Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var user = http.User;
        if (!JobsDashboard.IsStaff(user)) return Task.FromResult(false);
        var reads = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            || (HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Equals("/stats", StringComparison.OrdinalIgnoreCase));
        return Task.FromResult(reads || JobsDashboard.IsAdmin(user));
    }
}
