using Donations.Api.Infrastructure.Configuration;
using Donations.Api.Infrastructure.Logging;
using Microsoft.Extensions.Diagnostics.Metrics;
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
        var prometheus = builder.AddManagementListener();

        // Without an exporter nothing would read a span or a metric, yet every request, query and
        // Stripe call would still build them: tracing is on only with OTLP, metrics with OTLP or the
        // scrape endpoint.
        if (otlp || prometheus)
        {
            var otel = builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService(serviceName: "donations", serviceVersion: typeof(ObservabilitySetup).Assembly.GetName().Version?.ToString()))
                .WithMetrics(m =>
                {
                    m.AddAspNetCoreInstrumentation()
                        .AddHttpClientInstrumentation()
                        .AddRuntimeInstrumentation()
                        .AddNpgsqlInstrumentation();
                    if (otlp) m.AddOtlpExporter();
                    if (prometheus) m.AddPrometheusExporter();
                });
            if (otlp) otel.WithTracing(AddTracing).WithLogging(l => l.AddOtlpExporter());
        }
        // The service's own meter is taken from this host's IMeterFactory only (not by name
        // process-wide, which AddMeter would do): a second host in the same process, as in the
        // tests, keeps its own counts.
        builder.Metrics.EnableMetrics(DonationsMetrics.Name, scopes: MeterScope.Local);
        return builder;
    }

    private static void AddTracing(TracerProviderBuilder t) =>
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
            .AddNpgsql()
            .AddOtlpExporter();

    /// <summary>
    /// Validates the metrics settings and, when the scrape endpoint is on, adds the management
    /// listener to the service's own (<c>urls</c> / <c>ASPNETCORE_URLS</c>). True when it is on.
    /// </summary>
    private static bool AddManagementListener(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ObservabilityOptions>().BindConfiguration(ObservabilityOptions.Section)
            .Validate(o => !o.Enabled || o.ManagementPort is not null,
                "Observability:ManagementUrl (e.g. http://127.0.0.1:9464, with its port) is required with Observability:PrometheusEndpoint: "
                + "metrics are served only on that listener, never on the public one.")
            .ValidateOnStart();
        var settings = builder.Configuration.GetSection(ObservabilityOptions.Section).Get<ObservabilityOptions>() ?? new();
        if (!settings.Enabled) return false;
        if (settings.ManagementPort is not null)
        {
            var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : "http://localhost:5000";
            builder.WebHost.UseUrls([.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), settings.ManagementUrl!]);
        }
        return true;
    }

    public static WebApplication MapDonationsObservability(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value;
        if (settings is { Enabled: true, ManagementPort: { } port })
        {
            var path = new PathString(settings.PrometheusEndpoint!.TrimEnd('/'));
            // The connection's local port cannot be chosen by the client (a Host header can).
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Connection.LocalPort == port && http.Request.Path == path);
        }
        return app;
    }
}
