namespace Donations.Api.Features.Statements;

/// <summary>
/// A tax year as the organisation counts it: from 1 January 00:00 to the next 1 January 00:00 in
/// its own time zone. A gift at 23:30 on 31 December in New York is already 1 January in UTC,
/// yet belongs to the old year.
/// </summary>
public readonly record struct StatementYear(int Year, DateTime StartUtc, DateTime EndUtc)
{
    public const int Earliest = 2000;

    public static StatementYear Of(int year, TimeZoneInfo zone) =>
        new(year, StartOf(year, zone), StartOf(year + 1, zone));

    /// <summary>The year before the one <paramref name="now"/> falls in, in <paramref name="zone"/>.</summary>
    public static int PreviousTo(DateTimeOffset now, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(now, zone).Year - 1;

    private static DateTime StartOf(int year, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Unspecified), zone);
}
