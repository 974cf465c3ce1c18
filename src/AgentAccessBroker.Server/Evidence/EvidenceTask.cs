namespace AgentAccessBroker.Server.Evidence;

/// <summary>A task as its audit events describe it.</summary>
public sealed class EvidenceTask(string id)
{
    public string Id { get; } = id;

    public string? AgentId { get; internal set; }

    /// <summary>The person on whose behalf the agent works (the task's owner).</summary>
    public string? Owner { get; internal set; }

    public string? StartedBy { get; internal set; }

    public string? Description { get; internal set; }

    public string? Environment { get; internal set; }

    public DateTimeOffset? StartedAt { get; internal set; }

    public DateTimeOffset? EndedAt { get; internal set; }

    /// <summary>The event type that ended it (<c>task.completed</c>, <c>task.cancelled</c>, <c>task.expired</c>).</summary>
    public string? EndedBy { get; internal set; }

    public string? EndReason { get; internal set; }
}
