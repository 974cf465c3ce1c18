using System.Globalization;
using AgentAccessBroker.Brokering;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>What an evidence pack covers: one task, or the tasks with activity in a period (optionally of one agent).</summary>
/// <param name="From">Start of the period (inclusive).</param>
/// <param name="To">End of the period (exclusive).</param>
public sealed record EvidenceScope(string? Task, DateTimeOffset? From, DateTimeOffset? To, string? Agent)
{
    public static EvidenceScope ForTask(string task) => new(task, null, null, null);

    public static EvidenceScope ForPeriod(DateTimeOffset from, DateTimeOffset to, string? agent = null) => new(null, from, to, agent);

    /// <summary>Throws <see cref="BrokerError"/> unless the scope is a task, or a period with both ends.</summary>
    public EvidenceScope Validated()
    {
        if (Task is { Length: > 0 })
        {
            return From is null && To is null ? this : throw BrokerError.Invalid("invalid_scope", "Give either a task or a period (from and to), not both.");
        }

        if (From is null || To is null)
        {
            throw BrokerError.Invalid("invalid_scope", "Give a task, or a period with both from and to.");
        }

        return From < To ? this : throw BrokerError.Invalid("invalid_scope", "The period's start must be before its end.");
    }

    /// <summary>A one-line description for the report's heading.</summary>
    public string Describe() => Task is { Length: > 0 }
        ? $"task {Task}"
        : $"tasks with activity from {Text(From)} to {Text(To)}" + (Agent is { Length: > 0 } ? $" of agent {Agent}" : string.Empty);

    private static string Text(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "-";
}
