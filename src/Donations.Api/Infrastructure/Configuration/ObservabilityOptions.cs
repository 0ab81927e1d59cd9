using System.ComponentModel.DataAnnotations;

namespace Donations.Api.Infrastructure.Configuration;

/// <summary>
/// Metrics and traces. The OTLP exporter is configured by OpenTelemetry's own standard variables
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> and friends), which its SDK reads itself.
/// </summary>
public sealed class ObservabilityOptions
{
    public const string Section = "Observability";
    /// <summary>Path of the Prometheus scrape endpoint, e.g. <c>/metrics</c>; empty for none.</summary>
    [RegularExpression("^/.*", ErrorMessage = "Observability:PrometheusEndpoint must start with '/' (or be empty for none).")]
    public string? PrometheusEndpoint { get; set; }
}
