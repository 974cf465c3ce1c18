using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>A role assignment in the fake ARM, serialized in ARM's 2022-04-01 shape.</summary>
internal sealed class FakeAssignment
{
    public required string Name { get; init; }

    public required string Scope { get; init; }

    public required string SubscriptionId { get; init; }

    public required Guid RoleId { get; init; }

    public required string PrincipalId { get; init; }

    public required string PrincipalType { get; init; }

    public string? Description { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedOn { get; init; }

    /// <summary>How many more reads answer 404 before the assignment has "replicated".</summary>
    public int HiddenReads { get; set; }

    public string RoleDefinitionId => $"/subscriptions/{SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{RoleId:D}";

    public JsonObject ToJson() => new()
    {
        ["properties"] = new JsonObject
        {
            ["roleDefinitionId"] = RoleDefinitionId,
            ["principalId"] = PrincipalId,
            ["principalType"] = PrincipalType,
            ["scope"] = Scope,
            ["condition"] = null,
            ["conditionVersion"] = null,
            ["createdOn"] = CreatedOn.ToString("O"),
            ["updatedOn"] = CreatedOn.ToString("O"),
            ["createdBy"] = CreatedBy,
            ["updatedBy"] = CreatedBy,
            ["delegatedManagedIdentityResourceId"] = null,
            ["description"] = Description,
        },
        ["id"] = $"{Scope}/providers/Microsoft.Authorization/roleAssignments/{Name}",
        ["type"] = "Microsoft.Authorization/roleAssignments",
        ["name"] = Name,
    };
}
