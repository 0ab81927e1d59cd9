using System.Text;

namespace Donations.Api.Features.Staff;

/// <summary>
/// A CSV download written as the rows arrive: the query is read with AsAsyncEnumerable and each
/// row goes to the response body through a small buffer, so a large export costs the same memory
/// as a small one.
/// </summary>
internal sealed class CsvResult(string fileName, IReadOnlyList<string> columns, Func<CsvWriter, CancellationToken, Task> writeRows) : IResult
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public async Task ExecuteAsync(HttpContext http)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";

        await using var text = new StreamWriter(response.Body, Utf8, bufferSize: 16 * 1024, leaveOpen: true);
        var csv = new CsvWriter(text);
        await csv.HeaderAsync(columns);
        await writeRows(csv, http.RequestAborted);
        await text.FlushAsync(http.RequestAborted);
    }
}
