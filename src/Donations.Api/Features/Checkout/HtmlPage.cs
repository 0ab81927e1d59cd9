using System.Net;
using System.Security.Cryptography;
using System.Text;
using Donations.Api.Infrastructure.Configuration;

namespace Donations.Api.Features.Checkout;

/// <summary>
/// The shell every reader-facing donation page shares. Everything is inline (no CDN, no web
/// font), so the page renders offline and a strict Content-Security-Policy with a per-response
/// nonce allows only our own style and script.
/// </summary>
public sealed class HtmlPage(string title, OrganizationOptions organization, int status = StatusCodes.Status200OK) : IResult
{
    private readonly StringBuilder body = new();
    private string? script;
    private readonly string nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    public HtmlPage Add(string html) { body.Append(html); return this; }
    public HtmlPage Script(string js) { script = js; return this; }

    public async Task ExecuteAsync(HttpContext http)
    {
        var org = organization;
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append($"<title>{H(title)} · {H(org.Name)}</title>")
            .Append($"<style nonce=\"{nonce}\">{DonatePageAssets.Css}</style></head><body>")
            .Append("<a class=\"skip\" href=\"#main\">Skip to content</a>")
            .Append($"<header class=\"masthead\"><a class=\"brand\" href=\"{H(org.Website)}\">{H(org.Name)}</a></header>")
            .Append("<main id=\"main\" class=\"card\">").Append(body).Append("</main>")
            .Append("<footer class=\"colophon\">")
            .Append($"<p>{H(org.LegalName)} is a 501(c)(3) nonprofit organization (EIN {H(org.TaxId)}). ")
            .Append("Gifts are tax-deductible to the extent allowed by law.</p>")
            .Append($"<p>{H(org.Address)} · <a href=\"{H(org.Website)}\">{H(WebsiteHost(org.Website))}</a> · ")
            .Append("<a href=\"/manage\">Manage your donations</a></p></footer>");
        if (script is not null) html.Append($"<script nonce=\"{nonce}\">{script}</script>");
        html.Append("</body></html>");

        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers["X-Content-Type-Options"] = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        // No form-action: the form's 303 goes to Stripe's Checkout host, and browsers apply
        // form-action to redirects too.
        headers.ContentSecurityPolicy =
            $"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self' data:; " +
            "base-uri 'none'; frame-ancestors 'none'";
        await http.Response.WriteAsync(html.ToString(), http.RequestAborted);
    }

    private static string WebsiteHost(string website) =>
        Uri.TryCreate(website, UriKind.Absolute, out var uri) ? uri.Host : website;
}
