using System.Text.Json.Serialization;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// One role at one scope for one lease. <see cref="Name"/> is the role assignment's name (assignment and client-secret
/// modes) or the PIM <c>AdminAssign</c> request's name; <see cref="RemoveRequestName"/> names the PIM <c>AdminRemove</c>.
/// </summary>
internal sealed record PlannedGrant(
    [property: JsonPropertyName("scope")] string Scope,
    [property: JsonPropertyName("role")] string RoleName,
    [property: JsonPropertyName("roleId")] Guid RoleDefinitionGuid,
    [property: JsonPropertyName("name")] Guid Name,
    [property: JsonPropertyName("removeName")] Guid? RemoveRequestName)
{
    public string RoleDefinitionId(string subscriptionId) =>
        $"/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{RoleDefinitionGuid:D}";

    public string AssignmentPath => $"{Scope}/providers/Microsoft.Authorization/roleAssignments/{Name:D}";

    public string Describe() => $"{RoleName} at {Scope}";
}
