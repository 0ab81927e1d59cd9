using System.Globalization;

namespace Donations.Api.Features.Finance;

/// <summary>The time each part of a page took, as a <c>Server-Timing</c> header value (<c>name;dur=ms</c>, comma separated).</summary>
internal sealed class ServerTiming(TimeProvider time)
{
    private readonly List<string> _laps = [];
    private long _last = time.GetTimestamp();

    public void Lap(string name)
    {
        var now = time.GetTimestamp();
        _laps.Add(string.Create(CultureInfo.InvariantCulture, $"{name};dur={time.GetElapsedTime(_last, now).TotalMilliseconds:0.0}"));
        _last = now;
    }

    public override string ToString() => string.Join(", ", _laps);
}
