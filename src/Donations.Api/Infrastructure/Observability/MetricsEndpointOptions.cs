namespace Donations.Api.Infrastructure.Observability;

/// <summary>
/// <c>Observability:PrometheusEndpoint</c> (a path such as <c>/metrics</c>) and
/// <c>Observability:ManagementUrl</c> (such as <c>http://127.0.0.1:9464</c>): the scrape endpoint
/// is served only to connections on the management listener, which the service adds to its
/// other listeners, never on the public one whatever the path's spelling.
/// </summary>
public sealed class MetricsEndpointOptions
{
    public const string Section = "Observability";
    public string? PrometheusEndpoint { get; set; }
    public string? ManagementUrl { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(PrometheusEndpoint);

    /// <summary>The port of <see cref="ManagementUrl"/>, or null when it is not an http(s) URL with an explicit port.</summary>
    public int? ManagementPort =>
        Uri.TryCreate(ManagementUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && !uri.IsDefaultPort && uri.Port > 0
            ? uri.Port : null;
}
