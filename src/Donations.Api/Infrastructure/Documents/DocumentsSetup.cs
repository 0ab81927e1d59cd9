using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Donations.Api.Infrastructure.Documents;

public static class DocumentsSetup
{
    /// <summary>Safe to call from every feature that renders documents.</summary>
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.TryAddSingleton<DocumentTemplates>();
        return services;
    }
}
