using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>A PIM role assignment schedule request in the fake, in the 2020-10-01 shape.</summary>
internal sealed class FakePimRequest
{
    public required string Name { get; init; }

    public required string Scope { get; init; }

    public required JsonObject Properties { get; init; }

    public required string Status { get; set; }

    public string RequestType => Properties["requestType"]!.GetValue<string>();

    public JsonObject ToJson()
    {
        var properties = (JsonObject)Properties.DeepClone();
        properties["status"] = Status;
        properties["scope"] = Scope;
        properties["principalType"] = "ServicePrincipal";
        properties["approvalId"] = null;
        return new JsonObject
        {
            ["properties"] = properties,
            ["name"] = Name,
            ["id"] = $"{Scope}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{Name}",
            ["type"] = "Microsoft.Authorization/RoleAssignmentScheduleRequests",
        };
    }
}
