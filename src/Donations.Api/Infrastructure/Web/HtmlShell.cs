using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using System.Net;

namespace Donations.Api.Infrastructure.Web;

/// <summary>What sets one kind of server-rendered page apart: its look, and how far it trusts the browser.</summary>
public sealed record PageKind
{
    public required string Css { get; init; }

    /// <summary>How much of our address a followed link carries away (a sign-in link must carry none).</summary>
    public required string ReferrerPolicy { get; init; }

    /// <summary>
    /// Adds <c>form-action 'self'</c>. Not for pages whose form is answered by a redirect to
    /// Stripe: browsers apply form-action to that redirect too.
    /// </summary>
    public bool FormsPostToThisSiteOnly { get; init; }

    /// <summary>Asks search engines not to index the page (personal or single-use pages).</summary>
    public bool NoIndex { get; init; }
}

/// <summary>
/// The head and the security headers every server-rendered page shares. Nothing is loaded from
/// elsewhere (no CDN, no web font, no image), so pages render offline; the Content-Security-Policy
/// allows only the style and script this response carries, by their SHA-256 hashes (not a
/// per-response nonce: the same request gets the same bytes, which the portal's "same answer for
/// donors and strangers" relies on). Pages are never cached (they may show personal data or a
/// one-use token), never framed, never sniffed.
/// </summary>
public static class HtmlShell
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static IResult Render(HttpContext http, PageKind kind, string organization, string title, string body,
        int status = StatusCodes.Status200OK, string? script = null)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = kind.ReferrerPolicy;
        headers.ContentSecurityPolicy = ContentSecurityPolicy(kind, script);

        var html = new StringBuilder()
            .Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        if (kind.NoIndex) html.Append("<meta name=\"robots\" content=\"noindex\">\n");
        html.Append($"<title>{E(title)} · {E(organization)}</title>\n")
            .Append($"<style>{kind.Css}</style>\n</head>\n<body>\n")
            .Append(body);
        if (script is not null) html.Append($"\n<script>{script}</script>");
        html.Append("\n</body>\n</html>\n");
        return Results.Content(html.ToString(), "text/html", Encoding.UTF8, status);
    }

    /// <summary>The hidden antiforgery field every form on these pages carries.</summary>
    public static string AntiforgeryField(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        return $"""<input type="hidden" name="{E(tokens.FormFieldName)}" value="{E(tokens.RequestToken)}">""";
    }

    private static string ContentSecurityPolicy(PageKind kind, string? script) =>
        $"default-src 'none'; style-src {Hash(kind.Css)}; "
        + (script is null ? "" : $"script-src {Hash(script)}; ")
        + (kind.FormsPostToThisSiteOnly ? "form-action 'self'; " : "")
        + "base-uri 'none'; frame-ancestors 'none'";

    private static string Hash(string content) =>
        $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(content)))}'";
}
