namespace Donations.Tests.Infrastructure;

public static class Wait
{
    /// <summary>Polls until the condition holds; fails with what was awaited when the time is up.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what ?? "the condition"}.");
            await Task.Delay(50);
        }
    }
}
