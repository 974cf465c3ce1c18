namespace AgentAccessBroker.Domain;

public enum TaskState
{
    Active = 0,
    Completed = 1,
}
