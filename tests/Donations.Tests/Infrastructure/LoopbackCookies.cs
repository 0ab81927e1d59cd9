using System.Net.Http.Headers;

namespace Donations.Tests.Infrastructure;

/// <summary>
/// A browser's cookie jar for a service on plain-HTTP loopback. Outside Development the service
/// marks every cookie <c>Secure</c>; browsers (Chromium among them) treat loopback as a secure
/// context and send such cookies back, but .NET's <see cref="System.Net.CookieContainer"/> does
/// not, so tests against a real listener keep cookies here instead. Honours Path and deletion.
/// </summary>
public sealed class LoopbackCookies : DelegatingHandler
{
    private readonly Dictionary<string, (string Value, string Path)> _jar = new(StringComparer.Ordinal);

    public LoopbackCookies(HttpMessageHandler inner) : base(inner) { }

    public LoopbackCookies() { }

    /// <summary>The Cookie header a browser would send to <paramref name="path"/>.</summary>
    public string HeaderFor(string path)
    {
        lock (_jar)
            return string.Join("; ", _jar.Where(c => path.StartsWith(c.Value.Path, StringComparison.Ordinal)).Select(c => $"{c.Key}={c.Value.Value}"));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var header = HeaderFor(request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : request.RequestUri.OriginalString);
        if (header.Length > 0 && !request.Headers.Contains("Cookie")) request.Headers.TryAddWithoutValidation("Cookie", header);
        var response = await base.SendAsync(request, ct);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            foreach (var setCookie in setCookies) Store(setCookie);
        return response;
    }

    private void Store(string setCookie)
    {
        var parts = setCookie.Split(';', StringSplitOptions.TrimEntries);
        var eq = parts[0].IndexOf('=');
        if (eq <= 0) return;
        var (name, value) = (parts[0][..eq], parts[0][(eq + 1)..]);
        var path = "/";
        var expired = value.Length == 0;
        foreach (var attribute in parts.Skip(1))
        {
            if (attribute.StartsWith("path=", StringComparison.OrdinalIgnoreCase)) path = attribute[5..];
            if (attribute.StartsWith("expires=", StringComparison.OrdinalIgnoreCase)
                && DateTimeOffset.TryParse(attribute[8..], out var expires) && expires < DateTimeOffset.UtcNow) expired = true;
            if (attribute.Equals("max-age=0", StringComparison.OrdinalIgnoreCase)) expired = true;
        }
        lock (_jar)
        {
            if (expired) _jar.Remove(name);
            else _jar[name] = (value, path);
        }
    }
}
