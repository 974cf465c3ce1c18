namespace AgentAccessBroker.Domain;

/// <summary>
/// A unit of work a human declared and handed to one agent. Every lease is issued under a task, and completing the
/// task revokes them all. Named <c>BrokerTask</c> to stay clear of <see cref="System.Threading.Tasks.Task"/>.
/// </summary>
/// <param name="Description">What the human asked for, in their words ("fix the failing billing export").</param>
/// <param name="Owner">The human who declared the task; may never approve its requests.</param>
/// <param name="ScopeHints">Optional targets, resources or nouns the human expects the work to touch.</param>
/// <param name="Environment">Optional environment the task is about (dev, staging, prod).</param>
public sealed record BrokerTask(
    string Id,
    string Description,
    string Owner,
    string AgentId,
    IReadOnlyList<string> ScopeHints,
    string? Environment,
    DateTimeOffset CreatedAt,
    DateTimeOffset? Deadline,
    TaskState State,
    DateTimeOffset? CompletedAt);
