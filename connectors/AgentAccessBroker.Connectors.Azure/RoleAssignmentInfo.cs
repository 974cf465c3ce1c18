using System.Text.Json;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>The parts of an ARM role assignment the connector reads back.</summary>
internal sealed record RoleAssignmentInfo(string Name, string Scope, string RoleDefinitionId, string PrincipalId)
{
    public bool Grants(string principalId, Guid roleDefinitionGuid, string scope) =>
        string.Equals(PrincipalId, principalId, StringComparison.OrdinalIgnoreCase)
        && RoleDefinitionId.EndsWith("/" + roleDefinitionGuid.ToString("D"), StringComparison.OrdinalIgnoreCase)
        && string.Equals(Scope, scope, StringComparison.OrdinalIgnoreCase);

    public static RoleAssignmentInfo Read(JsonElement assignment)
    {
        var properties = assignment.GetProperty("properties");
        return new RoleAssignmentInfo(
            assignment.GetProperty("name").GetString() ?? string.Empty,
            properties.GetProperty("scope").GetString() ?? string.Empty,
            properties.GetProperty("roleDefinitionId").GetString() ?? string.Empty,
            properties.GetProperty("principalId").GetString() ?? string.Empty);
    }
}
