using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Donations.Api.Features.Staff;

/// <summary>The <c>from</c>/<c>to</c> of every finance export: [from, to) in UTC, see <see cref="DonationsExport.TryParseInstant"/>.</summary>
internal static class ExportRange
{
    public static ProblemHttpResult? Invalid(string? from, string? to, out DateTime? fromUtc, out DateTime? toUtc)
    {
        toUtc = null;
        if (!DonationsExport.TryParseInstant(from, out fromUtc) || !DonationsExport.TryParseInstant(to, out toUtc))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid date range",
                detail: "'from' and 'to' must be dates (yyyy-MM-dd) or ISO 8601 instants such as 2026-11-25T13:40:00Z.");
        if (fromUtc >= toUtc)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid date range",
                detail: "'from' must be earlier than 'to' ('to' is exclusive).");
        return null;
    }

    public static string FileName(string name, DateTime? from, DateTime? to) =>
        $"{name}{(from is { } f ? "-from-" + f.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) : "")}"
        + $"{(to is { } t ? "-to-" + t.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) : "")}.csv";
}
