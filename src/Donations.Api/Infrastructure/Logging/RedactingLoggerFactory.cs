using System.Collections;

namespace Donations.Api.Infrastructure.Logging;

/// <summary>
/// Wraps the host's logger factory so that every log entry and scope, from this service, ASP.NET
/// Core, EF Core, Hangfire or any library, passes <see cref="Redact.Text"/> before any provider
/// (console, OpenTelemetry, a test's capture) sees it. Classification attributes would only cover
/// the parameters someone remembered to mark; addresses also arrive inside request paths, mail
/// servers' refusals and exception messages. Log entries with nothing to redact pass through
/// untouched; a scope is redacted when a provider first reads it.
/// </summary>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => state switch
        {
            // The host opens one for every request, and most are never read (no provider writes
            // scopes unless told to): redacted once, when a provider first reads it, not on opening.
            IReadOnlyList<KeyValuePair<string, object?>> values => inner.BeginScope(new RedactedWhenRead(state, values)),
            IEnumerable<KeyValuePair<string, object?>> values => inner.BeginScope(new RedactedWhenRead(state, values.ToList())),
            _ when NeedsRedaction(state) => inner.BeginScope(Redact.Text(state.ToString() ?? "")),
            _ => inner.BeginScope(state),
        };

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            var values = state as IEnumerable<KeyValuePair<string, object?>>;
            var exceptionText = exception?.ToString();
            if (!Redact.MayHoldPersonalData(message) && !Redact.MayHoldPersonalData(exceptionText)
                && (values is null || !values.Any(v => NeedsRedaction(v.Value))))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }
            var redacted = new RedactedState(Redact.Text(message), values is null ? [] : RedactValues(values));
            var safeException = exception is not null && Redact.MayHoldPersonalData(exceptionText)
                ? new RedactedException(exception, exceptionText!)
                : exception;
            inner.Log(logLevel, eventId, redacted, safeException, static (s, _) => s.Message);
        }
    }

    private static bool NeedsRedaction(object? value) => value switch
    {
        null or bool or Enum or IFormattable => false,
        string s => Redact.MayHoldPersonalData(s),
        _ => Redact.MayHoldPersonalData(value.ToString()),
    };

    private static KeyValuePair<string, object?> Redacted(KeyValuePair<string, object?> v) =>
        NeedsRedaction(v.Value) ? new(v.Key, Redact.Text(v.Value!.ToString() ?? "")) : v;

    private static List<KeyValuePair<string, object?>> RedactValues(IEnumerable<KeyValuePair<string, object?>> values) =>
        values.Select(Redacted).ToList();

    /// <summary>A scope's values and its text, redacted the first time a provider reads them.</summary>
    private sealed class RedactedWhenRead(object state, IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        // Two first readers at once would both redact, to the same result: no lock needed.
        private List<KeyValuePair<string, object?>>? _values;
        private string? _text;

        private List<KeyValuePair<string, object?>> Values => _values ??= RedactValues(values);
        public KeyValuePair<string, object?> this[int index] => Values[index];
        public int Count => values.Count;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Values.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => _text ??= Redact.Text(state.ToString() ?? "");
    }

    /// <summary>The redacted entry: its message and its structured values, as providers read them.</summary>
    private sealed class RedactedState(string message, List<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;
        public KeyValuePair<string, object?> this[int index] => values[index];
        public int Count => values.Count;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => message;
    }
}

/// <summary>Stands in for an exception whose text held personal data; keeps its type name, message and stack, redacted.</summary>
public sealed class RedactedException(Exception original, string originalText)
    : Exception($"{original.GetType().FullName}: {Redact.Text(original.Message)}")
{
    private readonly string _text = Redact.Text(originalText);

    public string OriginalType { get; } = original.GetType().FullName ?? original.GetType().Name;
    public override string? StackTrace => null;
    public override string ToString() => _text;
}
