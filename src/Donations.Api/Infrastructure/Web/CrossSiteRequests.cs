using Donations.Api.Infrastructure.Configuration;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Donations.Api.Infrastructure.Web;

/// <summary>The session cookies features sign people in with; a state change carrying one is checked here.</summary>
public sealed class CrossSiteRequestOptions
{
    /// <summary>Cookie names (chunked cookies add a suffix, so names match by prefix).</summary>
    public List<string> SessionCookies { get; } = [];
}

/// <summary>
/// Endpoint metadata: the endpoint validates the antiforgery token itself (to answer a failure
/// with a page a person can act on), so the check below leaves the token to it.
/// </summary>
public sealed class ValidatesAntiforgeryItself;

/// <summary>
/// Every state change that carries a session cookie must come from this site. SameSite on the
/// cookies does not cover a page on a sibling subdomain (same site, other origin), so: a browser's
/// <c>Sec-Fetch-Site</c> of <c>same-site</c> or <c>cross-site</c>, or an <c>Origin</c> that is
/// neither this host nor <c>Donations:PublicBaseUrl</c>, is refused; and the request must carry
/// either a valid antiforgery token (the service's own forms and the jobs dashboard do) or the
/// <see cref="ApiHeader"/> header, which a browser sends cross-origin only after a CORS preflight
/// the service never grants. Runs after authorization, so the token is checked against the
/// identity it was issued to. The Stripe webhook never gets here: it reads no cookie, is
/// authenticated by its signature and runs straight from routing (<c>StripeWebhooksSetup</c>).
/// </summary>
public static class CrossSiteRequests
{
    public const string ApiHeader = "X-Donations-Client";

    public static IApplicationBuilder UseCrossSiteRequestCheck(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var refusal = IsStateChange(http.Request.Method) && CarriesSession(http) ? await RefusalAsync(http) : null;
        if (refusal is null)
        {
            await next(http);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Cross-site request refused", Detail = refusal },
        });
    });

    private static bool IsStateChange(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    private static bool CarriesSession(HttpContext http)
    {
        var names = http.RequestServices.GetRequiredService<IOptions<CrossSiteRequestOptions>>().Value.SessionCookies;
        return http.Request.Cookies.Keys.Any(k => names.Any(n => k.StartsWith(n, StringComparison.Ordinal)));
    }

    private static async Task<string?> RefusalAsync(HttpContext http)
    {
        var headers = http.Request.Headers;
        var fetchSite = headers["Sec-Fetch-Site"].ToString();
        if (fetchSite is "same-site" or "cross-site")
            return "This action can only be taken from this site's own pages.";
        // "null" tells nothing: browsers send it for their own form posts from a page whose
        // Referrer-Policy is no-referrer (the donor portal's); the token below still decides.
        var origin = headers.Origin.ToString();
        if (origin.Length > 0 && origin != "null" && !IsOwnOrigin(http, origin))
            return "This action can only be taken from this site's own pages.";
        if (!string.IsNullOrEmpty(headers[ApiHeader]) || ChecksTokenLater(http))
            return null;
        return await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http)
            ? null
            : $"The form has expired; reload the page and try again. Scripts calling the API send the {ApiHeader} header.";
    }

    // Form-bound endpoints are validated by the antiforgery middleware; others say they check it.
    private static bool ChecksTokenLater(HttpContext http)
    {
        var metadata = http.GetEndpoint()?.Metadata;
        return metadata?.GetMetadata<ValidatesAntiforgeryItself>() is not null
            || metadata?.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: true };
    }

    private static bool IsOwnOrigin(HttpContext http, string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return false;
        if (string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)) return true;
        var publicBase = http.RequestServices.GetRequiredService<IOptions<DonationsOptions>>().Value.PublicBaseUrl;
        return Uri.TryCreate(publicBase, UriKind.Absolute, out var own)
            && string.Equals(uri.GetLeftPart(UriPartial.Authority), own.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }
}
