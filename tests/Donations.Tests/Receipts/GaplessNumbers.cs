using System.Text.RegularExpressions;
using Xunit;

namespace Donations.Tests.Receipts;

/// <summary>
/// Receipt numbers run 1, 2, 3… without a gap or a repeat within each year, and start again at 1
/// with the next. Gifts dated from today can fall in two years (in December, a monthly gift's
/// second payment a month on), so tests check each year's run, never one run over all of them.
/// </summary>
public static class GaplessNumbers
{
    /// <summary><paramref name="expected"/> numbers as printed ("2026-000001"), gapless within each year.</summary>
    public static void AssertPerYear(IEnumerable<string> numbers, int expected) =>
        AssertPerYear(numbers.Select(Parse), expected);

    /// <summary><paramref name="expected"/> receipts' (year, sequence), gapless within each year.</summary>
    public static void AssertPerYear(IEnumerable<(int Year, int Sequence)> numbers, int expected)
    {
        var all = numbers.ToList();
        Assert.Equal(expected, all.Count);
        foreach (var year in all.GroupBy(n => n.Year))
            Assert.Equal(Enumerable.Range(1, year.Count()), year.Select(n => n.Sequence).Order());
    }

    private static (int Year, int Sequence) Parse(string number)
    {
        var match = Regex.Match(number, @"^(\d{4})-(\d{6})$");
        Assert.True(match.Success, $"'{number}' is not a receipt number");
        return (int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
    }
}
