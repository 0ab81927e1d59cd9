using System.Net.Mime;
using System.Text;
using System.Text.Encodings.Web;

namespace Donations.Api.Features.Staff;

/// <summary>
/// The frame of every server-rendered staff page: self-contained (no scripts, fonts or styles
/// from elsewhere), never cached, never framed.
/// </summary>
internal static class StaffPage
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static IResult Render(HttpContext http, string organization, string title, string body, int status = StatusCodes.Status200OK)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(title)}} — {{E(organization)}}</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
              table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
              th, td { border-bottom: 1px solid #ddd; padding: .3rem .7rem; text-align: left; }
              td.n { text-align: right; font-variant-numeric: tabular-nums; }
              .error { color: #a00; }
              header { display: flex; justify-content: space-between; align-items: center; }
              label { display: block; margin: .7rem 0 .2rem; }
            </style>
            </head>
            <body>
            {{body}}
            </body>
            </html>
            """;
        return Results.Content(html, MediaTypeNames.Text.Html, Encoding.UTF8, status);
    }
}
