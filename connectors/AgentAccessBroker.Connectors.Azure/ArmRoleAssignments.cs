using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// ARM <c>Microsoft.Authorization/roleAssignments</c> (api-version 2022-04-01) written as plain REST: GenericResource
/// would add a <c>location</c> field to the body.
/// </summary>
internal sealed class ArmRoleAssignments(AzureRestClient arm, int maxRetries, ILogger logger)
{
    public const string ApiVersion = "2022-04-01";

    /// <summary>PUTs the planned assignment. A repeat of this lease's own PUT counts as success.</summary>
    public async Task CreateAsync(AzureEndpoints endpoints, PlannedGrant grant, AzureLeasePlan lease, string description, string leaseId, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["roleDefinitionId"] = grant.RoleDefinitionId(lease.SubscriptionId),
                ["principalId"] = lease.PrincipalObjectId,
                // Without principalType, ARM looks the principal up in Entra ID and fails for a freshly created one.
                ["principalType"] = "ServicePrincipal",
                ["description"] = description,
            },
        };
        var operation = $"create role assignment {grant.Name:D} ({grant.Describe()})";
        var response = await arm.SendAsync(
            new AzureCall(RequestMethod.Put, Url(endpoints, grant), BinaryData.FromString(body.ToJsonString()), operation, RetryPrincipalNotFound: true),
            cancellationToken).ConfigureAwait(false);

        if (response.Status is 200 or 201)
        {
            logger.AssignmentCreated(grant.Name, grant.RoleName, grant.Scope, leaseId);
            return;
        }

        if (response is { Status: 409, ErrorCode: "RoleAssignmentExists" })
        {
            // ARM answers 409 both when our own earlier PUT went through (a retry after a lost response, a re-run after a
            // crash) and when another assignment already gives this principal this role here. Only the first is ours.
            var existing = await GetAsync(endpoints, grant, cancellationToken).ConfigureAwait(false);
            if (existing is not null && existing.Grants(lease.PrincipalObjectId, grant.RoleDefinitionGuid, grant.Scope))
            {
                logger.AssignmentAlreadyCreated(grant.Name, grant.RoleName, grant.Scope);
                return;
            }

            throw AzureRefusals.RoleAssignmentExists(grant);
        }

        if (response is { Status: 400, ErrorCode: "PrincipalNotFound" })
        {
            throw AzureRefusals.PrincipalNotFound(lease.PrincipalObjectId, maxRetries + 1);
        }

        throw response.ToException(operation);
    }

    /// <summary>Reads the assignment by its name; null when ARM answers 404.</summary>
    public Task<RoleAssignmentInfo?> GetAsync(AzureEndpoints endpoints, PlannedGrant grant, CancellationToken cancellationToken) =>
        arm.GetOrNullAsync(Url(endpoints, grant), $"read role assignment {grant.Name:D} ({grant.Describe()})", RoleAssignmentInfo.Read, cancellationToken);

    /// <summary>Deletes the assignment. True when it existed; false when ARM says it was already gone (204).</summary>
    public async Task<bool> DeleteAsync(AzureEndpoints endpoints, PlannedGrant grant, CancellationToken cancellationToken)
    {
        var operation = $"delete role assignment {grant.Name:D} ({grant.Describe()})";
        var response = await arm.SendAsync(new AzureCall(RequestMethod.Delete, Url(endpoints, grant), null, operation), cancellationToken).ConfigureAwait(false);
        switch (response.Status)
        {
            case 200:
                logger.AssignmentDeleted(grant.Name, grant.RoleName, grant.Scope);
                return true;
            case 204 or 404:
                logger.AssignmentAlreadyGone(grant.Name, grant.RoleName, grant.Scope);
                return false;
            default:
                throw response.ToException(operation);
        }
    }

    /// <summary>Every assignment of the principal at, above or below the scope (ARM's <c>principalId eq</c> filter).</summary>
    public async Task<IReadOnlyList<RoleAssignmentInfo>> ListForPrincipalAsync(AzureEndpoints endpoints, string scope, string principalId, CancellationToken cancellationToken)
    {
        var operation = $"list role assignments of {principalId} at {scope}";
        var filter = Uri.EscapeDataString($"principalId eq '{principalId}'");
        var next = endpoints.ArmUrl($"{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={ApiVersion}&$filter={filter}");
        var found = new List<RoleAssignmentInfo>();
        for (var page = 0; next is not null; page++)
        {
            if (page == 50)
            {
                throw new InvalidOperationException($"Azure returned more than 50 pages to {operation}.");
            }

            var response = await arm.SendAsync(new AzureCall(RequestMethod.Get, next, null, operation), cancellationToken).ConfigureAwait(false);
            if (response.Status != 200)
            {
                throw response.ToException(operation);
            }

            using var json = response.Json();
            foreach (var item in json.RootElement.GetProperty("value").EnumerateArray())
            {
                found.Add(RoleAssignmentInfo.Read(item));
            }

            next = json.RootElement.TryGetProperty("nextLink", out var link) && link.GetString() is { Length: > 0 } nextLink
                ? SameHost(endpoints, nextLink)
                : null;
        }

        return found;
    }

    private static Uri Url(AzureEndpoints endpoints, PlannedGrant grant) =>
        endpoints.ArmUrl($"{grant.AssignmentPath}?api-version={ApiVersion}");

    /// <summary>The broker's bearer token goes only to the configured ARM host, whatever a nextLink says.</summary>
    private static Uri SameHost(AzureEndpoints endpoints, string nextLink)
    {
        var uri = new Uri(nextLink, UriKind.Absolute);
        return Uri.Compare(uri, endpoints.Arm, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
            ? uri
            : throw new InvalidOperationException($"ARM returned a nextLink to another host ({uri.Host}).");
    }
}
