using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace Donations.Api.Infrastructure.Jobs;

/// <summary>
/// Hangfire keeps its log provider in a process-wide static that every host overwrites with its
/// own LoggerFactory. When several hosts share a process (the test suite, or web + worker hosts)
/// and the last one to start is disposed, Hangfire in the others throws ObjectDisposedException
/// from inside job creation and performance. This provider loses the log line instead.
/// </summary>
internal sealed class DisposalTolerantLogProvider(ILoggerFactory loggerFactory) : ILogProvider
{
    private readonly AspNetCoreLogProvider _inner = new(loggerFactory);

    public ILog GetLogger(string name)
    {
        try { return new Tolerant(_inner.GetLogger(name)); }
        catch (ObjectDisposedException) { return Silent.Instance; }
    }

    private sealed class Tolerant(ILog inner) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try { return inner.Log(logLevel, messageFunc, exception); }
            catch (ObjectDisposedException) { return false; }
        }
    }

    private sealed class Silent : ILog
    {
        public static readonly Silent Instance = new();
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
