using Serilog.Core;
using Serilog.Events;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// Adds <c>ExceptionSummary</c>: the exception's type and the first line of its message (innermost cause included),
/// so the console shows an expected failure (a warning: an unreachable target, a failed mint that was rolled back) as
/// one line. Errors, which are bugs, keep their stack trace; the log file keeps every trace.
/// </summary>
internal sealed class ExceptionSummaryEnricher : ILogEventEnricher
{
    public const string PropertyName = "ExceptionSummary";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (logEvent.Exception is not { } exception)
        {
            return;
        }

        var innermost = exception.GetBaseException();
        var summary = FirstLine(exception);
        if (!ReferenceEquals(innermost, exception))
        {
            summary += "; cause: " + FirstLine(innermost);
        }

        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty(PropertyName, summary));
    }

    private static string FirstLine(Exception exception)
    {
        var message = exception.Message;
        var end = message.IndexOfAny(['\r', '\n']);
        return $"{exception.GetType().Name}: {(end < 0 ? message : message[..end])}";
    }
}
