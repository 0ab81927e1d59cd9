namespace Donations.Api.Infrastructure.Web;

/// <summary>
/// Headers every response carries, whatever produced it (pages, JSON, CSV, the jobs dashboard,
/// errors): never sniffed, and no referrer unless the page chose its own policy. Outside
/// Development, HSTS too, and every cookie is <c>Secure</c> (staff, donor and antiforgery alike):
/// TLS ends at the proxy, so the request the service sees is plain HTTP and "same as request"
/// would send session cookies in the clear. HSTS is sent on plain responses as well; browsers
/// heed it only over HTTPS, which is where the proxy serves it.
/// </summary>
public static class SecurityHeaders
{
    public const string Hsts = "max-age=31536000";
    public const string DefaultReferrerPolicy = "no-referrer";

    public static IServiceCollection AddSecurityHeaders(this IServiceCollection services, IHostEnvironment environment)
    {
        if (!environment.IsDevelopment())
            services.Configure<CookiePolicyOptions>(o => o.Secure = CookieSecurePolicy.Always);
        return services;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, IHostEnvironment environment)
    {
        var hsts = !environment.IsDevelopment();
        app.Use((http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                if (!headers.ContainsKey("Referrer-Policy")) headers["Referrer-Policy"] = DefaultReferrerPolicy;
                if (hsts) headers.StrictTransportSecurity = Hsts;
                return Task.CompletedTask;
            });
            return next(http);
        });
        return app.UseCookiePolicy();
    }
}
