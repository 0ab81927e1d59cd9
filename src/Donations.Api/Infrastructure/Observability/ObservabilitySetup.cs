using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Donations.Api.Infrastructure.Observability;

public static class ObservabilitySetup
{
    /// <summary>
    /// OpenTelemetry traces and metrics: ASP.NET Core, HttpClient (Stripe), EF Core, Npgsql,
    /// runtime, and the service's own meters. OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set;
    /// a Prometheus scrape endpoint when Observability:PrometheusEndpoint is set.
    /// </summary>
    public static WebApplicationBuilder AddDonationsObservability(this WebApplicationBuilder builder)
    {
        builder.AddRedactedLogging();
        builder.Services.AddSingleton<DonationsMetrics>();
        builder.Services.AddHostedService<InboxBacklogSampler>();
        // OpenTelemetry's own standard variable, which its exporter reads itself; asked here only to know whether to add it.
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = !string.IsNullOrWhiteSpace(builder.Configuration.StartupOption(ObservabilityOptions.Section, (ObservabilityOptions o) => o.PrometheusEndpoint));

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName: "donations", serviceVersion: typeof(ObservabilitySetup).Assembly.GetName().Version?.ToString()))
            .WithTracing(t =>
            {
                t.AddSource(DonationsMetrics.Name)
                    .AddAspNetCoreInstrumentation(o =>
                    {
                        o.Filter = http => !http.Request.Path.StartsWithSegments("/health");
                        // A donor's sign-in link is a path (/manage/{token}): traces keep the route, not the token.
                        o.EnrichWithHttpRequest = (activity, request) =>
                        {
                            if (Redact.MayHoldPersonalData(request.Path.Value))
                                activity.SetTag("url.path", Redact.Text(request.Path.Value!));
                        };
                    })
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation()
                    .AddNpgsql();
                if (otlp) t.AddOtlpExporter();
            })
            .WithMetrics(m =>
            {
                m.AddMeter(DonationsMetrics.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (otlp) m.AddOtlpExporter();
                if (prometheus) m.AddPrometheusExporter();
            });
        if (otlp) otel.WithLogging(l => l.AddOtlpExporter());
        return builder;
    }

    public static WebApplication MapDonationsObservability(this WebApplication app)
    {
        var path = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.PrometheusEndpoint;
        if (!string.IsNullOrWhiteSpace(path))
            app.MapPrometheusScrapingEndpoint(path);
        return app;
    }
}
