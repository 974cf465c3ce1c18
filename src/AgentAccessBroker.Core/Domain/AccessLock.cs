namespace AgentAccessBroker.Domain;

/// <summary>
/// A lock on an agent, a person or a task (Teleport's locks are the model): while it is in force every request,
/// approval and claim by or for its subject is refused, and creating it marks every live lease of an agent or task
/// subject due for revocation in the same transaction.
/// </summary>
/// <param name="Subject">The agent id, person id or task id.</param>
/// <param name="Reason">Why, in the words of the person who locked it.</param>
/// <param name="LiftedAt">When it was lifted; null while in force.</param>
public sealed record AccessLock(
    string Id, LockSubject Kind, string Subject, string Reason, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? LiftedAt)
{
    public bool InForce => LiftedAt is null;
}

public enum LockSubject
{
    Agent = 0,
    User = 1,
    Task = 2,
}
