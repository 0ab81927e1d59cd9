using Donations.Api.Features.StripeWebhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Donations.Tests.Infrastructure;

public static class InboxDispatcherSwitch
{
    /// <summary>
    /// The app without its background inbox dispatcher: webhook rows stay in the inbox until the
    /// test claims or dispatches them itself. Keeps any other <see cref="DonationsAppOptions.ConfigureServices"/>.
    /// </summary>
    public static DonationsAppOptions WithoutInboxDispatcher(this DonationsAppOptions options)
    {
        var earlier = options.ConfigureServices;
        options.ConfigureServices = services =>
        {
            earlier?.Invoke(services);
            foreach (var d in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(InboxDispatcher)).ToList())
                services.Remove(d);
        };
        return options;
    }
}
