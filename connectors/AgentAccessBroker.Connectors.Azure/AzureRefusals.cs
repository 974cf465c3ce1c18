using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>Caller errors shared by the direct and the PIM grant paths, worded for the agent.</summary>
internal static class AzureRefusals
{
    public static CredentialRequestException RoleAssignmentExists(PlannedGrant grant) => new(
        "role_assignment_exists",
        $"The agent's service principal already holds {grant.Describe()} through another assignment (another live lease or a standing assignment). Let that lease end or ask for a different role or scope.");

    public static CredentialRequestException PrincipalNotFound(string principalObjectId, int attempts) => new(
        "azure_principal_not_found",
        $"Azure did not find the agent service principal {principalObjectId} after {attempts} attempts; check the target's principal_object_id.");
}
