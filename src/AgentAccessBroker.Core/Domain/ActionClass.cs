namespace AgentAccessBroker.Domain;

/// <summary>What kind of thing an action does. Ordered from least to most risky.</summary>
public enum ActionClass
{
    Read = 0,
    Write = 1,
    Destructive = 2,
    PrivilegeChange = 3,
    Wildcard = 4,
}
