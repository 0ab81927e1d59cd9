using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Donations.Api.Infrastructure.Web;

/// <summary>
/// The one place an unhandled exception becomes an answer: RFC 9457 problem details, with a
/// message a person can act on and nothing internal. Database failures are 503 so that
/// callers that retry (Stripe) do.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = Classify(exception);
        if (status >= 500) log.LogError(exception, "Request {Method} {Path} failed", http.Request.Method, http.Request.Path);
        http.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = title,
                Detail = detail,
                Extensions = { ["traceId"] = http.Features.Get<IHttpActivityFeature>()?.Activity.Id ?? http.TraceIdentifier },
            },
        });
    }

    internal static (int Status, string Title, string Detail) Classify(Exception ex) => ex switch
    {
        BadHttpRequestException b => (b.StatusCode, "Bad request", b.Message),
        _ when IsDatabaseUnavailable(ex) => (StatusCodes.Status503ServiceUnavailable, "Service unavailable",
            "The database is not reachable right now. Please try again shortly."),
        _ => (StatusCodes.Status500InternalServerError, "Unexpected error",
            "Something went wrong on our side. Please try again; if it keeps happening, contact us."),
    };

    public static bool IsDatabaseUnavailable(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException
                || e.GetType().Name is "RetryLimitExceededException" || e is Microsoft.EntityFrameworkCore.DbUpdateException { InnerException: System.Data.Common.DbException })
                return true;
        return false;
    }
}
