using System.Globalization;

namespace Donations.Api.Infrastructure;

/// <summary>How dates read in pages and emails meant for people (amounts: <see cref="Money.Format"/>).</summary>
public static class DisplayText
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    /// <summary>"March 5, 2026" on the organisation's calendar, which is the date a receipt states.</summary>
    public static string Date(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).ToString("MMMM d, yyyy", English);
}
