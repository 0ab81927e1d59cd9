using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Documents;

namespace Donations.Api.Infrastructure.Email;

public static class EmailSetup
{
    public static WebApplicationBuilder AddDonationsEmail(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.StartupOption(EmailOptions.Section, (EmailOptions o) => o.Delivery) == EmailDelivery.Smtp)
            builder.Services.AddSingleton<SmtpEmailSender>().AddSingleton<IEmailSender>(sp =>
                new UndeliverableAddresses(sp.GetRequiredService<SmtpEmailSender>(), sp.GetRequiredService<ILogger<UndeliverableAddresses>>()));
        else
            builder.Services.AddSingleton<PickupEmailSender>().AddSingleton<IEmailSender>(sp =>
                new UndeliverableAddresses(sp.GetRequiredService<PickupEmailSender>(), sp.GetRequiredService<ILogger<UndeliverableAddresses>>()));
        builder.Services.AddDocuments();
        builder.Services.AddSingleton<OutboundMail>();
        return builder;
    }
}
