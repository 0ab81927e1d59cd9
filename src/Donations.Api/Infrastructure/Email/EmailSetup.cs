using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Documents;

namespace Donations.Api.Infrastructure.Email;

public static class EmailSetup
{
    public static WebApplicationBuilder AddDonationsEmail(this WebApplicationBuilder builder)
    {
        var delivery = builder.Configuration.GetSection(EmailOptions.Section).GetValue("Delivery", EmailDelivery.Pickup);
        if (delivery == EmailDelivery.Smtp)
            builder.Services.AddSingleton<IEmailSender, SmtpEmailSender>();
        else
            builder.Services.AddSingleton<IEmailSender, PickupEmailSender>();
        builder.Services.AddDocuments();
        builder.Services.AddSingleton<OutboundMail>();
        return builder;
    }
}
