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

    /// <summary>
    /// The management listener, e.g. <c>http://127.0.0.1:9464</c>: the scrape endpoint is served
    /// only to connections on it, which the service adds to its other listeners, never on the
    /// public one whatever the path's spelling.
    /// </summary>
    public string? ManagementUrl { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(PrometheusEndpoint);

    /// <summary>The port of <see cref="ManagementUrl"/>, or null when it is not an http(s) URL with an explicit port.</summary>
    public int? ManagementPort =>
        Uri.TryCreate(ManagementUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !uri.IsDefaultPort && uri.Port > 0
            ? uri.Port : null;
}
