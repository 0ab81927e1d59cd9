using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Donations.Api.Infrastructure.Logging;

public static class LoggingSetup
{
    /// <summary>
    /// Every logger the host hands out redacts donors' email addresses and sign-in tokens
    /// (<see cref="RedactingLoggerFactory"/>). EF Core keeps its default of never logging
    /// parameter values: nothing here calls EnableSensitiveDataLogging, and a test holds that.
    /// </summary>
    public static WebApplicationBuilder AddRedactedLogging(this WebApplicationBuilder builder)
    {
        // The real factory stays in the container (it collects every ILoggerProvider, including
        // ones registered later); everyone who asks for ILoggerFactory gets it through the wrapper.
        builder.Services.TryAddSingleton<LoggerFactory>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
            new RedactingLoggerFactory(sp.GetRequiredService<LoggerFactory>())));
        return builder;
    }
}
