using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Azure.Tests.Support;

/// <summary>Keeps every formatted log line, with exceptions, so tests can prove no secret reaches a log.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _lines;

    public CapturingLogger(ConcurrentQueue<string> lines) => _lines = lines;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)} {exception}");
        if (state is IEnumerable<KeyValuePair<string, object?>> properties)
        {
            _lines.Enqueue(string.Join(" ", properties.Select(p => $"{p.Key}={p.Value}")));
        }
    }
}
