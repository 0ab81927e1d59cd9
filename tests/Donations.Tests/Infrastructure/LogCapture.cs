using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Donations.Tests.Infrastructure;

/// <summary>One log entry as a provider receives it: everything a sink could write.</summary>
public sealed record CapturedLog(LogLevel Level, string Category, string Message, IReadOnlyList<KeyValuePair<string, string?>> State,
    IReadOnlyList<string> Scopes, string? Exception)
{
    /// <summary>Every piece of text of the entry, for searching.</summary>
    public IEnumerable<string> Texts() =>
        new[] { Message, Exception ?? "" }.Concat(State.Select(s => $"{s.Key}={s.Value}")).Concat(Scopes);

    public override string ToString() => $"{Level} {Category}: {Message}";
}

/// <summary>
/// A logger provider that keeps every entry the app logs (after the app's own filtering and
/// redaction): <c>DonationsApp.StartAsync(o => o.ConfigureServices = capture.AddTo)</c>.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    public void AddTo(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(this);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> kv
                ? kv.Select(p => new KeyValuePair<string, string?>(p.Key, Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture))).ToList()
                : [new KeyValuePair<string, string?>("State", state?.ToString())];
            var scopes = new List<string>();
            capture._scopes.ForEachScope((scope, list) =>
            {
                list.Add(scope?.ToString() ?? "");
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    list.AddRange(pairs.Select(p => $"{p.Key}={p.Value}"));
            }, scopes);
            capture._entries.Enqueue(new CapturedLog(logLevel, category, formatter(state, exception), values, scopes, exception?.ToString()));
        }
    }
}
