namespace AgentAccessBroker.Connectors.Azure;

/// <summary>A role a target may hand out: its role definition GUID and, when the target maps one, its name.</summary>
internal sealed record AllowedRole(Guid Id, string? Name)
{
    public string DisplayName => Name ?? Id.ToString("D");

    /// <summary>Roles that can write role assignments: granting one would let an agent outlive its lease.</summary>
    public static readonly IReadOnlyDictionary<Guid, string> Escalating = new Dictionary<Guid, string>
    {
        [Guid.Parse("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")] = "Owner",
        [Guid.Parse("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9")] = "User Access Administrator",
        [Guid.Parse("f58310d9-a9f6-439a-9e8d-f62e7b41a168")] = "Role Based Access Control Administrator",
    };
}
