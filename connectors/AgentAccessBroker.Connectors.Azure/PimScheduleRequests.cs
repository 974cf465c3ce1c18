using System.Globalization;
using System.Text.Json.Nodes;
using AgentAccessBroker.Credentials;
using Azure.Core;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// PIM <c>roleAssignmentScheduleRequests</c> (api-version 2020-10-01): <c>AdminAssign</c> with an expiration at the
/// lease end, <c>AdminRemove</c> to end it early. Each request has its own name, planned before the call.
/// </summary>
internal sealed class PimScheduleRequests(AzureRestClient arm, int maxRetries, ILogger logger)
{
    public const string ApiVersion = "2020-10-01";

    public async Task<PimRequestInfo> AssignAsync(
        AzureEndpoints endpoints, PlannedGrant grant, AzureLeasePlan lease, MintRequest request, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["principalId"] = lease.PrincipalObjectId,
                ["roleDefinitionId"] = grant.RoleDefinitionId(lease.SubscriptionId),
                ["requestType"] = "AdminAssign",
                ["justification"] = $"AgentAccessBroker lease {request.LeaseId} for task {request.TaskId}",
                ["ticketInfo"] = new JsonObject { ["ticketNumber"] = request.LeaseId, ["ticketSystem"] = "AgentAccessBroker" },
                ["scheduleInfo"] = new JsonObject
                {
                    ["startDateTime"] = Iso(request.Now),
                    ["expiration"] = new JsonObject { ["type"] = "AfterDateTime", ["endDateTime"] = Iso(request.NotAfter) },
                },
            },
        };
        var operation = $"request PIM assignment {grant.Name:D} ({grant.Describe()})";
        var response = await arm.SendAsync(
            new AzureCall(RequestMethod.Put, Url(endpoints, grant.Scope, grant.Name), BinaryData.FromString(body.ToJsonString()), operation, RetryPrincipalNotFound: true),
            cancellationToken).ConfigureAwait(false);

        PimRequestInfo? info = null;
        if (response.Status is 200 or 201)
        {
            using var json = response.Json();
            info = PimRequestInfo.Read(json.RootElement);
        }
        else if (response.Status == 409)
        {
            // Our own request name is taken: an earlier attempt of this very mint went through.
            info = await GetAsync(endpoints, grant.Scope, grant.Name, cancellationToken).ConfigureAwait(false);
        }

        if (info is not null)
        {
            logger.PimRequest("AdminAssign", grant.Name, grant.RoleName, grant.Scope, info.Status);
            return info;
        }

        throw response switch
        {
            { ErrorCode: "RoleAssignmentExists" } => AzureRefusals.RoleAssignmentExists(grant),
            { Status: 400, ErrorCode: "PrincipalNotFound" } => AzureRefusals.PrincipalNotFound(lease.PrincipalObjectId, maxRetries + 1),
            _ => response.ToException(operation),
        };
    }

    /// <summary>Asks PIM to remove the assignment. False when PIM says there is nothing to remove.</summary>
    public async Task<bool> RemoveAsync(AzureEndpoints endpoints, PlannedGrant grant, AzureLeasePlan lease, string leaseId, CancellationToken cancellationToken)
    {
        var removeName = grant.RemoveRequestName ?? throw new InvalidOperationException("A PIM grant has no planned AdminRemove request name.");
        var body = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["principalId"] = lease.PrincipalObjectId,
                ["roleDefinitionId"] = grant.RoleDefinitionId(lease.SubscriptionId),
                ["requestType"] = "AdminRemove",
                ["justification"] = $"AgentAccessBroker lease {leaseId} ended",
            },
        };
        var operation = $"request PIM removal {removeName:D} ({grant.Describe()})";
        var response = await arm.SendAsync(
            new AzureCall(RequestMethod.Put, Url(endpoints, grant.Scope, removeName), BinaryData.FromString(body.ToJsonString()), operation),
            cancellationToken).ConfigureAwait(false);
        switch (response)
        {
            case { Status: 200 or 201 }:
                using (var json = response.Json())
                {
                    logger.PimRequest("AdminRemove", removeName, grant.RoleName, grant.Scope, PimRequestInfo.Read(json.RootElement).Status);
                }

                return true;
            case { Status: 409 }:
                // The removal request already exists: an earlier revoke of this lease sent it.
                return true;
            case { Status: 400 or 404, ErrorCode: "RoleAssignmentDoesNotExist" }:
                return false;
            default:
                throw response.ToException(operation);
        }
    }

    public Task<PimRequestInfo?> GetAsync(AzureEndpoints endpoints, string scope, Guid name, CancellationToken cancellationToken) =>
        arm.GetOrNullAsync(Url(endpoints, scope, name), $"read PIM request {name:D} at {scope}", PimRequestInfo.Read, cancellationToken);

    /// <summary>Withdraws a request still waiting for approval, so a later approval cannot grant access after the lease.</summary>
    public async Task CancelAsync(AzureEndpoints endpoints, string scope, Guid name, CancellationToken cancellationToken)
    {
        var operation = $"cancel PIM request {name:D} at {scope}";
        var url = endpoints.ArmUrl($"{scope}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{name:D}/cancel?api-version={ApiVersion}");
        var response = await arm.SendAsync(new AzureCall(RequestMethod.Post, url, null, operation), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw response.ToException(operation);
        }

        logger.PimRequest("Cancel", name, "-", scope, "Canceled");
    }

    private static Uri Url(AzureEndpoints endpoints, string scope, Guid name) =>
        endpoints.ArmUrl($"{scope}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/{name:D}?api-version={ApiVersion}");

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
