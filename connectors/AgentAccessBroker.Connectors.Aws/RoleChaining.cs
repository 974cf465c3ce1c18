namespace AgentAccessBroker.Connectors.Aws;

/// <summary>Whether the broker's own credentials are role credentials (AssumeRole from them is role chaining).</summary>
internal enum RoleChaining
{
    Auto = 0,
    Yes = 1,
    No = 2,
}
