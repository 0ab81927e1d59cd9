using Donations.Tests.Infrastructure;

namespace Donations.Tests.Faults;

public static class Settle
{
    /// <summary>
    /// Waits until a count (emails in a sink) has not moved for two seconds, so a late duplicate
    /// would be counted before the test asserts there is none.
    /// </summary>
    public static async Task UntilStillAsync(Func<int> count, string what)
    {
        var last = count();
        var stillSince = DateTime.UtcNow;
        await Wait.UntilAsync(() =>
        {
            var now = count();
            if (now != last) (last, stillSince) = (now, DateTime.UtcNow);
            return Task.FromResult(DateTime.UtcNow - stillSince > TimeSpan.FromSeconds(2));
        }, TimeSpan.FromSeconds(30), what);
    }
}
