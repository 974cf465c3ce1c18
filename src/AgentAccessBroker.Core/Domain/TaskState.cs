namespace AgentAccessBroker.Domain;

/// <summary>
/// Where a task stands. Every state but <see cref="Active"/> is an end: nothing is issued under an ended task, and
/// ending it withdraws its undecided requests and marks every live lease due for revocation, in one transaction.
/// </summary>
public enum TaskState
{
    Active = 0,
    Completed = 1,
    /// <summary>Ended by a person before the work was done (or by a lock on the task).</summary>
    Cancelled = 2,
    /// <summary>Ended by its deadline.</summary>
    Expired = 3,
}
