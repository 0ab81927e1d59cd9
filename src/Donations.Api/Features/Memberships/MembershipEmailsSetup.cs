namespace Donations.Api.Features.Memberships;

/// <summary>Lifecycle emails of memberships: the notifier event handlers call, and the job that sends.</summary>
public static class MembershipEmailsSetup
{
    public static WebApplicationBuilder AddMembershipEmails(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IMembershipNotifier, MembershipNotifier>();
        builder.Services.AddSingleton<MembershipNotices>();
        builder.Services.AddScoped<SendMembershipEmail>();
        return builder;
    }
}
