using Donations.Api.Features.Donations;
using Donations.Api.Features.StripeWebhooks;
using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Events;
using Donations.Api.Infrastructure.Jobs;
using Microsoft.Extensions.Options;

namespace Donations.Api.Features.Memberships;

/// <summary>
/// Memberships: the subscription events that shape them, the tiers that grant monthly gifts their
/// benefits, and what follows a committed gift or change (linking, lifecycle emails).
/// </summary>
public static class MembershipsSetup
{
    public static WebApplicationBuilder AddMemberships(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<MembershipTiers>();
        services.AddSingleton<InsubstantialBenefitLimits>();
        services.AddScoped<PaymentUsdRates>();
        services.AddScoped<IMonthlyGiftBenefits, MemberBenefits>();
        services.AddSingleton<IValidateOptions<MembershipsOptions>, TierCurrencyLimitsValidator>();
        services.AddStripeEventHandler<SubscriptionChanged>();
        services.AddStripeEventHandler<InvoicePaymentFailed>();
        services.AddAfterCommit<MembershipFollowUp>();

        services.AddSingleton<MembershipNotifier>();
        services.AddScoped<SendMembershipEmail>();
        services.AddScoped<MembershipMailer>();
        services.AddScoped<MembershipCards>();
        services.AddScoped<PaymentFailureFacts>();
        services.AddScoped<RemindExpiringCards>();
        services.AddScoped<InviteLapsedMembersBack>();
        services.AddSingleton<IRecurringJobDefinition, MembershipFollowUpSchedule>();
        return builder;
    }
}
