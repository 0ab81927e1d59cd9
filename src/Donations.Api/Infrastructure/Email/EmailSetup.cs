using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Documents;

namespace Donations.Api.Infrastructure.Email;

public static class EmailSetup
{
    public static WebApplicationBuilder AddDonationsEmail(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.StartupOption(EmailOptions.Section, (EmailOptions o) => o.Delivery) == EmailDelivery.Smtp)
            builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        else
            builder.Services.AddSingleton<IEmailSender, PickupEmailSender>();
        builder.Services.AddDocuments();
        builder.Services.AddSingleton<OutboundMail>();
        return builder;
    }
}
