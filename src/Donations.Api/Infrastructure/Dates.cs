using System.Globalization;

namespace Donations.Api.Infrastructure;

/// <summary>
/// Dates for people, on the organisation's calendar: a gift made at 02:00 UTC on 1 January is a
/// December gift in New York, and its receipt, statement and donor page must all say so.
/// Amounts: <see cref="Money.Format"/>.
/// </summary>
public static class Dates
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    /// <summary>The wall-clock time in <paramref name="zone"/> of a UTC instant (stored dates are UTC, whatever their Kind).</summary>
    public static DateTime Local(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    /// <summary>"March 5, 2026": the date a receipt or statement states.</summary>
    public static string Long(DateTime utc, TimeZoneInfo zone) => Local(utc, zone).ToString("MMMM d, yyyy", English);

    public static string Long(DateTimeOffset instant, TimeZoneInfo zone) => Long(instant.UtcDateTime, zone);

    /// <summary>"2026-03-05": dates in tables (statement lines).</summary>
    public static string Iso(DateTime utc, TimeZoneInfo zone) => Local(utc, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>"2026-03-05 14:30": times on staff pages.</summary>
    public static string IsoMinutes(DateTime utc, TimeZoneInfo zone) =>
        Local(utc, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Local midnight as a UTC instant; where midnight does not exist (a DST jump) the day starts an hour later.</summary>
    public static DateTime StartInUtc(DateTime localMidnight, TimeZoneInfo zone)
    {
        var start = DateTime.SpecifyKind(localMidnight, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(start)) start = start.AddHours(1);
        return TimeZoneInfo.ConvertTimeToUtc(start, zone);
    }
}
