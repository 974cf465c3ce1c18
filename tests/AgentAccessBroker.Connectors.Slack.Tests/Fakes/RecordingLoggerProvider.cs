using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests.Fakes;

/// <summary>Keeps every log line (message, properties and exception text) so tests can prove no secret is written.</summary>
internal sealed class RecordingLoggerProvider(Signal? changed = null) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string AllText => string.Join("\n", _lines);

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, _lines, changed);

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(string category, ConcurrentQueue<string> lines, Signal? changed) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(p => p.Key + "=" + p.Value))
                : string.Empty;
            lines.Enqueue($"{logLevel} {category} [{eventId.Id}] {formatter(state, exception)} {{{properties}}} {exception}");
            changed?.Pulse();
        }
    }
}
