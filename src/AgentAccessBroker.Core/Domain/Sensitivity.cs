namespace AgentAccessBroker.Domain;

/// <summary>How much harm misuse of a resource can do. Ordered: a higher value is more sensitive.</summary>
public enum Sensitivity
{
    Low = 0,
    Medium = 1,
    High = 2,
    Critical = 3,
}
