using System.Globalization;
using System.Text;
using Donations.Data.Entities;

namespace Donations.Api.Features.Staff;

/// <summary>
/// Writes RFC 4180 CSV (comma separated, CRLF line ends, fields with a comma, quote or line break
/// quoted, quotes doubled) row by row to a response without holding the file in memory.
/// <para>
/// Spreadsheet formula injection: a text cell that begins with <c>= + - @</c>, a tab or a carriage
/// return is prefixed with an apostrophe, so Excel and LibreOffice show it as text instead of
/// running it. Text means anything that came from outside (donor names and emails, Stripe ids,
/// receipt numbers, tiers). Values this class formats itself (ids, amounts, dates, booleans) are
/// written as they are: they are never negative and a bare number is not a formula, and altering
/// them would break every tool that reads the amounts back.
/// </para>
/// </summary>
internal sealed class CsvWriter(TextWriter output)
{
    private readonly StringBuilder _row = new(512);
    private bool _rowStarted;

    public CsvWriter Text(string? value) => Cell(Neutralise(value ?? ""));

    public CsvWriter Number(long value) => Cell(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A value formatted by us (an amount, a date, a boolean); no guard applies.</summary>
    public CsvWriter Value(string value) => Cell(value);

    public async Task EndRowAsync()
    {
        _row.Append("\r\n");
        await output.WriteAsync(_row);
        _row.Clear();
        _rowStarted = false;
    }

    public async Task HeaderAsync(IEnumerable<string> names)
    {
        foreach (var name in names) Value(name);
        await EndRowAsync();
    }

    private CsvWriter Cell(string value)
    {
        if (_rowStarted) _row.Append(',');
        _rowStarted = true;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
            _row.Append(value);
        else
            _row.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
        return this;
    }

    internal static string Neutralise(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}

/// <summary>How the exports (and the staff pages) spell the model's values.</summary>
internal static class CsvValues
{
    /// <summary>UTC, ISO 8601, whole seconds: 2026-11-25T13:40:00Z.</summary>
    public static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Timestamp(DateTime? utc) => utc is { } t ? Timestamp(t) : "";

    public static string Boolean(bool value) => value ? "true" : "false";

    public static string Frequency(DonationFrequency f) => f switch
    {
        DonationFrequency.OneTime => "one-time",
        DonationFrequency.Monthly => "monthly",
        DonationFrequency.Annual => "annual",
        _ => f.ToString().ToLowerInvariant(),
    };

    public static string Status(DonationStatus s) => s switch
    {
        DonationStatus.Succeeded => "succeeded",
        DonationStatus.Refunded => "refunded",
        DonationStatus.PartiallyRefunded => "partially_refunded",
        DonationStatus.Disputed => "disputed",
        _ => s.ToString().ToLowerInvariant(),
    };
}
