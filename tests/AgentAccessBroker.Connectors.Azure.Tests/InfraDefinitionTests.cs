using System.Text.Json;
using System.Text.RegularExpressions;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure.Tests;

/// <summary>Terraform cannot run here, so the role and condition definitions it reads are checked directly.</summary>
public sealed partial class InfraDefinitionTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "infra", "azure");

    private static readonly string[] AgentIds = ["bbbbbbbb-cccc-4ddd-8eee-ffffffffffff", "cccccccc-dddd-4eee-8fff-000000000000"];

    [Fact]
    public void Condition_WriteAndDelete_RestrictedToExactlyTheAssignableRoles()
    {
        var condition = Condition();
        var allowed = AssignableRoles().Select(r => r.Id).ToHashSet();

        var request = GuidSet(condition, "Request", "RoleDefinitionId");
        var resource = GuidSet(condition, "Resource", "RoleDefinitionId");

        Assert.Equal(allowed, request);
        Assert.Equal(allowed, resource);
        Assert.Contains("!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})", condition, StringComparison.Ordinal);
        Assert.Contains("!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})", condition, StringComparison.Ordinal);
    }

    [Fact]
    public void Condition_Principals_LimitedToTheAgentsServicePrincipals()
    {
        var condition = Condition();

        Assert.Equal(AgentIds.Select(Guid.Parse).ToHashSet(), GuidSet(condition, "Request", "PrincipalId"));
        Assert.Equal(AgentIds.Select(Guid.Parse).ToHashSet(), GuidSet(condition, "Resource", "PrincipalId"));
        Assert.Matches(@"@Request\[Microsoft\.Authorization/roleAssignments:PrincipalType\] ForAnyOfAnyValues:StringEqualsIgnoreCase \{'ServicePrincipal'\}", condition);
    }

    [Fact]
    public void Condition_AgentIdsFilledIn_IsBalanced()
    {
        var condition = Condition();

        Assert.Equal(condition.Count(c => c == '('), condition.Count(c => c == ')'));
        Assert.Equal(condition.Count(c => c == '{'), condition.Count(c => c == '}'));
        Assert.DoesNotContain("{{", condition, StringComparison.Ordinal);
        Assert.Equal("2.0", ConditionDocument().RootElement.GetProperty("conditionVersion").GetString());
    }

    [Fact]
    public void Definitions_NeverGrantRolesThatWriteRoleAssignments()
    {
        var everything = File.ReadAllText(Path.Combine(Root, "conditions", "broker-role-assignment-condition.json"))
            + File.ReadAllText(Path.Combine(Root, "roles", "assignable-roles.json"));

        foreach (var (id, name) in AllowedRole.Escalating)
        {
            Assert.DoesNotContain(id.ToString(), everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain($"\"{name}\"", everything, StringComparison.Ordinal);
        }

        Assert.NotEmpty(AssignableRoles());
        Assert.Equal(AssignableRoles().Count, AssignableRoles().Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void AssignableRoles_AsTargetRoleIds_AcceptedByTheConnector()
    {
        var roles = AssignableRoles();
        var settings = new Dictionary<string, string>
        {
            ["tenant_id"] = "6a0f2f5e-1f3c-4c7a-9d6e-2b1a5c3d4e5f",
            ["subscription_id"] = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
            ["client_id"] = "22222222-3333-4444-8555-666666666666",
            ["principal_object_id"] = AgentIds[0],
            ["workload_identity_token_file"] = "/var/run/secrets/azure/tokens/azure-identity-token",
            // What main.tf's role_ids_setting output renders.
            ["role_ids"] = string.Join(",", roles.Select(r => $"{r.Name}={r.Id}")),
            ["allowed_roles"] = string.Join(", ", roles.Select(r => r.Name)),
        };

        Assert.Empty(AzureTarget.Validate(new TargetSettings("azure", "azure", settings, new Dictionary<string, SecretReference>())));
    }

    [Fact]
    public void PimRequesterRole_CannotWriteRoleAssignmentsOrTouchData()
    {
        using var role = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "roles", "pim-requester-role.json")));
        var actions = role.RootElement.GetProperty("Actions").EnumerateArray().Select(a => a.GetString()!).ToList();

        Assert.DoesNotContain(actions, a => a.Contains('*', StringComparison.Ordinal));
        Assert.DoesNotContain(actions, a => a.StartsWith("Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase) && !a.EndsWith("/read", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Microsoft.Authorization/roleAssignmentScheduleRequests/write", actions);
        Assert.Empty(role.RootElement.GetProperty("DataActions").EnumerateArray());
    }

    [Fact]
    public void Terraform_ReadsTheDefinitionsAndConditionsTheBrokerAssignment()
    {
        var main = File.ReadAllText(Path.Combine(Root, "main.tf"));

        Assert.Contains("file(\"${path.module}/roles/assignable-roles.json\")", main, StringComparison.Ordinal);
        Assert.Contains("file(\"${path.module}/conditions/broker-role-assignment-condition.json\")", main, StringComparison.Ordinal);
        Assert.Contains("role_definition_name = \"Role Based Access Control Administrator\"", main, StringComparison.Ordinal);
        Assert.Contains("condition            = local.broker_condition", main, StringComparison.Ordinal);
        Assert.Contains("condition_version    = local.condition_doc.conditionVersion", main, StringComparison.Ordinal);
    }

    private static JsonDocument ConditionDocument() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "conditions", "broker-role-assignment-condition.json")));

    /// <summary>The condition as main.tf renders it: lines joined, agent ids substituted.</summary>
    private static string Condition()
    {
        using var document = ConditionDocument();
        var lines = document.RootElement.GetProperty("condition").EnumerateArray().Select(l => l.GetString());
        var placeholder = document.RootElement.GetProperty("principalIdsPlaceholder").GetString()!;
        return string.Join("\n", lines).Replace(placeholder, string.Join(", ", AgentIds), StringComparison.Ordinal);
    }

    private static List<(string Name, Guid Id)> AssignableRoles()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "roles", "assignable-roles.json")));
        return document.RootElement.GetProperty("roles").EnumerateArray()
            .Select(r => (r.GetProperty("name").GetString()!, Guid.Parse(r.GetProperty("id").GetString()!)))
            .ToList();
    }

    /// <summary>The GUID set of the single <c>@Source[...:Attribute] ForAnyOfAnyValues:GuidEquals {...}</c> expression.</summary>
    private static HashSet<Guid> GuidSet(string condition, string source, string attribute)
    {
        var matches = GuidEqualsExpression().Matches(condition).Where(m => m.Groups["source"].Value == source && m.Groups["attribute"].Value == attribute).ToList();
        var match = Assert.Single(matches);
        return match.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries).Select(Guid.Parse).ToHashSet();
    }

    [GeneratedRegex(@"@(?<source>Request|Resource)\[Microsoft\.Authorization/roleAssignments:(?<attribute>\w+)\]\s+ForAnyOfAnyValues:GuidEquals\s+\{(?<values>[^{}]*)\}")]
    private static partial Regex GuidEqualsExpression();
}
