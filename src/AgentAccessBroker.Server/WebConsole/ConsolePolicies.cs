namespace AgentAccessBroker.Server.WebConsole;

/// <summary>Authorization policy names for console pages; all of them authenticate with the console cookie only.</summary>
internal static class ConsolePolicies
{
    public const string Person = "console";
    public const string Approver = "console-approver";
    public const string Auditor = "console-auditor";
    public const string Admin = "console-admin";
}
