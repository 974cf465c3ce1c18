namespace AgentAccessBroker.Server.Http;

/// <summary>Authorization policy names, one per principal role.</summary>
internal static class Roles
{
    public const string Agent = "agent";
    public const string Approver = "approver";
    public const string Admin = "admin";
    public const string Auditor = "auditor";
}
