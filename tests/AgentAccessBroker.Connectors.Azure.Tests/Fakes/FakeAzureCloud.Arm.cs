using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>ARM: role assignments (2022-04-01), PIM schedule requests (2020-10-01), and reads of other resources.</summary>
internal sealed partial class FakeAzureCloud
{
    private const string AuthorizationProvider = "/providers/Microsoft.Authorization/";
    private const string AssignmentsSegment = AuthorizationProvider + "roleAssignments";
    private const string PimSegment = AuthorizationProvider + "roleAssignmentScheduleRequests";

    private FakeResponse Arm(string method, string path, IQueryCollection query, string body, FakePrincipal caller)
    {
        // roleAssignments is a prefix of roleAssignmentScheduleRequests, so PIM is matched first.
        var pim = path.IndexOf(PimSegment, StringComparison.OrdinalIgnoreCase);
        if (pim > 0)
        {
            if (query["api-version"] != "2020-10-01")
            {
                return FakeResponse.ArmError(400, "InvalidApiVersionParameter", "The api-version is missing or not supported for roleAssignmentScheduleRequests.");
            }

            var rest = path[(pim + PimSegment.Length)..].Trim('/').Split('/');
            return PimRequest(method, path[..pim], rest[0], rest.Length == 2 && rest[1] == "cancel", body, caller);
        }

        var assignments = path.IndexOf(AssignmentsSegment, StringComparison.OrdinalIgnoreCase);
        if (assignments > 0)
        {
            if (query["api-version"] != "2022-04-01")
            {
                return FakeResponse.ArmError(400, "InvalidApiVersionParameter", "The api-version is missing or not supported for roleAssignments.");
            }

            var scope = path[..assignments];
            var rest = path[(assignments + AssignmentsSegment.Length)..];
            return rest.Length == 0 && method == "GET"
                ? ListAssignments(scope, query)
                : RoleAssignment(method, scope, rest.TrimStart('/'), body, caller);
        }

        return method == "GET" ? ReadResource(path, caller) : FakeResponse.ArmError(405, "MethodNotAllowed", "Only reads are modelled.");
    }

    private FakeResponse RoleAssignment(string method, string scope, string name, string body, FakePrincipal caller)
    {
        if (!Guid.TryParse(name, out _))
        {
            return FakeResponse.ArmError(400, "InvalidRoleAssignmentId", $"The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID.");
        }

        lock (_gate)
        {
            _assignments.TryGetValue(name, out var existing);
            switch (method)
            {
                case "GET":
                    if (existing is null || !SameScope(existing.Scope, scope))
                    {
                        return AssignmentNotFound(name);
                    }

                    if (existing.HiddenReads > 0)
                    {
                        existing.HiddenReads--;
                        return AssignmentNotFound(name);
                    }

                    return new FakeResponse(200, existing.ToJson());

                case "DELETE":
                    if (caller != Broker)
                    {
                        return Forbidden(caller, "Microsoft.Authorization/roleAssignments/delete", scope);
                    }

                    if (existing is null || !SameScope(existing.Scope, scope))
                    {
                        return new FakeResponse(204);
                    }

                    // The ABAC condition on delete reads @Resource[...RoleDefinitionId].
                    if (!BrokerAssignableRoles.Contains(existing.RoleId))
                    {
                        return Forbidden(caller, "Microsoft.Authorization/roleAssignments/delete", scope);
                    }

                    _assignments.Remove(name);
                    return new FakeResponse(200, existing.ToJson());

                case "PUT":
                    return CreateAssignment(scope, name, body, caller, existing);

                default:
                    return FakeResponse.ArmError(405, "MethodNotAllowed", $"{method} is not supported on role assignments.");
            }
        }
    }

    private FakeResponse CreateAssignment(string scope, string name, string body, FakePrincipal caller, FakeAssignment? existing)
    {
        JsonObject properties;
        try
        {
            var root = JsonNode.Parse(body)!.AsObject();
            // Stricter than ARM where ARM's behaviour is unverified (TECH-FACTS 2.3): a body with anything besides
            // "properties" (GenericResource's "location") is refused, so a regression to GenericResource shows here.
            if (root.Any(p => p.Key != "properties"))
            {
                return FakeResponse.ArmError(400, "InvalidRequestContent", "The request content has unexpected top-level properties.");
            }

            properties = root["properties"]!.AsObject();
        }
        catch (Exception ex) when (ex is JsonException or NullReferenceException or InvalidOperationException)
        {
            return FakeResponse.ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
        }

        var roleDefinitionId = properties["roleDefinitionId"]?.GetValue<string>() ?? string.Empty;
        var principalId = properties["principalId"]?.GetValue<string>() ?? string.Empty;
        var principalType = properties["principalType"]?.GetValue<string>();
        var prefix = $"/subscriptions/{SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/";
        if (!roleDefinitionId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            || !Guid.TryParse(roleDefinitionId[prefix.Length..], out var roleId)
            || !KnownRoles.Contains(roleId))
        {
            return FakeResponse.ArmError(400, "RoleDefinitionDoesNotExist", $"The specified role definition with ID '{roleDefinitionId}' does not exist.");
        }

        if (!ScopeInSubscription(scope))
        {
            return FakeResponse.ArmError(404, "SubscriptionNotFound", "The subscription could not be found.");
        }

        if (caller != Broker || !BrokerAssignableRoles.Contains(roleId))
        {
            return Forbidden(caller, "Microsoft.Authorization/roleAssignments/write", scope);
        }

        if (PrincipalUnknown(principalId) is { } notFound)
        {
            return notFound;
        }

        if (principalType != "ServicePrincipal")
        {
            return FakeResponse.ArmError(400, "PrincipalTypeNotSupported", "principalType must match the principal (ServicePrincipal).");
        }

        if (existing is not null)
        {
            var same = existing.RoleId == roleId && existing.PrincipalId == principalId && SameScope(existing.Scope, scope);
            return same
                ? FakeResponse.ArmError(409, "RoleAssignmentExists", $"The role assignment already exists. The ID of the existing role assignment is {existing.Name.Replace("-", string.Empty, StringComparison.Ordinal)}.")
                : FakeResponse.ArmError(409, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
        }

        var duplicate = _assignments.Values.FirstOrDefault(a => a.RoleId == roleId && a.PrincipalId == principalId && SameScope(a.Scope, scope));
        if (duplicate is not null)
        {
            return FakeResponse.ArmError(409, "RoleAssignmentExists", $"The role assignment already exists. The ID of the existing role assignment is {duplicate.Name.Replace("-", string.Empty, StringComparison.Ordinal)}.");
        }

        var assignment = NewAssignment(name, scope, roleId, principalId, properties["description"]?.GetValue<string>(), caller.ObjectId, VisibilityLag);
        _assignments[name] = assignment;
        return new FakeResponse(201, assignment.ToJson());
    }

    private FakeResponse ListAssignments(string scope, IQueryCollection query)
    {
        var filter = query["$filter"].ToString();
        const string Prefix = "principalId eq '";
        if (!filter.StartsWith(Prefix, StringComparison.Ordinal) || !filter.EndsWith('\''))
        {
            return FakeResponse.ArmError(400, "UnsupportedQuery", "This fake models only $filter=principalId eq '{id}'.");
        }

        var principalId = filter[Prefix.Length..^1];
        var skip = int.TryParse(query["$skipToken"], out var token) ? token : 0;
        List<FakeAssignment> matching;
        lock (_gate)
        {
            // ARM returns assignments at, above and below the scope for this filter. Unreplicated ones stay out of
            // the list for as many reads as they would answer 404 by name.
            var related = _assignments.Values
                .Where(a => a.PrincipalId.Equals(principalId, StringComparison.OrdinalIgnoreCase) && (Covers(a.Scope, scope) || Covers(scope, a.Scope)))
                .ToList();
            matching = related.Where(a => a.HiddenReads == 0).OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
            foreach (var hidden in related.Where(a => a.HiddenReads > 0 && skip == 0))
            {
                hidden.HiddenReads--;
            }
        }

        var page = matching.Skip(skip).Take(ListPageSize).ToList();
        var result = new JsonObject { ["value"] = new JsonArray([.. page.Select(a => (JsonNode)a.ToJson())]) };
        if (skip + page.Count < matching.Count)
        {
            result["nextLink"] = new Uri(BaseUri, $"{scope.TrimStart('/')}{AssignmentsSegment}?api-version=2022-04-01&$filter={Uri.EscapeDataString(filter)}&$skipToken={skip + page.Count}").AbsoluteUri;
        }

        return new FakeResponse(200, result);
    }

    private FakeResponse PimRequest(string method, string scope, string name, bool cancel, string body, FakePrincipal caller)
    {
        lock (_gate)
        {
            _pimRequests.TryGetValue(name, out var existing);
            if (cancel)
            {
                if (method != "POST" || existing is null)
                {
                    return FakeResponse.ArmError(404, "RoleAssignmentScheduleRequestNotFound", "The request was not found.");
                }

                if (existing.Status != "PendingApproval")
                {
                    return FakeResponse.ArmError(400, "RoleAssignmentRequestNotCancellable", "Only pending requests can be cancelled.");
                }

                existing.Status = "Canceled";
                return new FakeResponse(200);
            }

            if (method == "GET")
            {
                return existing is null
                    ? FakeResponse.ArmError(404, "RoleAssignmentScheduleRequestNotFound", $"The role assignment schedule request '{name}' was not found.")
                    : new FakeResponse(200, existing.ToJson());
            }

            if (method != "PUT")
            {
                return FakeResponse.ArmError(405, "MethodNotAllowed", $"{method} is not supported on schedule requests.");
            }

            if (caller != Broker)
            {
                return Forbidden(caller, "Microsoft.Authorization/roleAssignmentScheduleRequests/write", scope);
            }

            if (existing is not null)
            {
                // The real service's code for a reused request name is not documented; only the status matters here.
                return FakeResponse.ArmError(409, "RoleAssignmentRequestExists", "A request with this name already exists.");
            }

            return CreatePimRequest(scope, name, body);
        }
    }

    private FakeResponse CreatePimRequest(string scope, string name, string body)
    {
        var properties = JsonNode.Parse(body)?["properties"]?.AsObject();
        var principalId = properties?["principalId"]?.GetValue<string>();
        var roleDefinitionId = properties?["roleDefinitionId"]?.GetValue<string>();
        var requestType = properties?["requestType"]?.GetValue<string>();
        var prefix = $"/subscriptions/{SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/";
        if (properties is null || principalId is null || requestType is null || roleDefinitionId is null
            || !roleDefinitionId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !Guid.TryParse(roleDefinitionId[prefix.Length..], out var roleId))
        {
            return FakeResponse.ArmError(400, "InvalidRoleAssignmentScheduleRequest", "principalId, roleDefinitionId and requestType are required.");
        }

        if (PrincipalUnknown(principalId) is { } notFound)
        {
            return notFound;
        }

        var current = _assignments.Values.FirstOrDefault(a => a.RoleId == roleId && a.PrincipalId == principalId && SameScope(a.Scope, scope));
        string status;
        switch (requestType)
        {
            case "AdminAssign":
                var expiration = properties["scheduleInfo"]?["expiration"];
                var start = properties["scheduleInfo"]?["startDateTime"]?.GetValue<DateTimeOffset>();
                var end = expiration?["endDateTime"]?.GetValue<DateTimeOffset>();
                if (expiration?["type"]?.GetValue<string>() != "AfterDateTime" || start is null || end is null || end <= start)
                {
                    return FakeResponse.ArmError(400, "InvalidScheduleInfo", "expiration must be AfterDateTime with an endDateTime after startDateTime.");
                }

                if (current is not null)
                {
                    return FakeResponse.ArmError(400, "RoleAssignmentExists", "The Role assignment already exists.");
                }

                if (PimRequiresApproval)
                {
                    status = "PendingApproval";
                    break;
                }

                var assignment = NewAssignment(Guid.NewGuid().ToString("D"), scope, roleId, principalId, properties["justification"]?.GetValue<string>(), Broker.ObjectId, VisibilityLag);
                _assignments[assignment.Name] = assignment;
                status = "Provisioned";
                break;

            case "AdminRemove":
                if (current is null)
                {
                    return FakeResponse.ArmError(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
                }

                _assignments.Remove(current.Name);
                status = "Revoked";
                break;

            default:
                return FakeResponse.ArmError(400, "InvalidRoleAssignmentScheduleRequest", $"requestType {requestType} is not modelled.");
        }

        var request = new FakePimRequest { Name = name, Scope = scope, Properties = (JsonObject)properties.DeepClone(), Status = status };
        _pimRequests[name] = request;
        return new FakeResponse(201, request.ToJson());
    }

    /// <summary>Any read below the subscription: allowed when the caller holds some role at or above the path.</summary>
    private FakeResponse ReadResource(string path, FakePrincipal caller)
    {
        lock (_gate)
        {
            var allowed = _assignments.Values.Any(a => a.PrincipalId == caller.ObjectId && a.HiddenReads == 0 && Covers(a.Scope, path));
            return allowed
                ? new FakeResponse(200, new JsonObject { ["id"] = path, ["name"] = path.Split('/')[^1] })
                : Forbidden(caller, "read", path);
        }
    }

    private FakeResponse? PrincipalUnknown(string principalId)
    {
        var known = _principals.Values.Any(p => p.ObjectId.Equals(principalId, StringComparison.OrdinalIgnoreCase));
        if (known && PrincipalNotFoundResponses <= 0)
        {
            return null;
        }

        if (known)
        {
            PrincipalNotFoundResponses--;
        }

        return FakeResponse.ArmError(
            400,
            "PrincipalNotFound",
            $"Principal {principalId.Replace("-", string.Empty, StringComparison.Ordinal)} does not exist in the directory {TenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay.");
    }

    private static FakeResponse AssignmentNotFound(string name) =>
        FakeResponse.ArmError(404, "RoleAssignmentNotFound", $"The role assignment '{name}' is not found.");

    private static FakeResponse Forbidden(FakePrincipal caller, string action, string scope) =>
        FakeResponse.ArmError(
            403,
            "AuthorizationFailed",
            $"The client '{caller.AppId}' with object id '{caller.ObjectId}' does not have authorization or an ABAC condition not fulfilled to perform action '{action}' over scope '{scope}' or the scope is invalid.");

    private static bool ScopeInSubscription(string scope) =>
        scope.StartsWith($"/subscriptions/{SubscriptionId}", StringComparison.OrdinalIgnoreCase);

    private static bool SameScope(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="outer"/> is <paramref name="inner"/> or one of its ancestors (whole segments).</summary>
    private static bool Covers(string outer, string inner) =>
        SameScope(outer, inner) || inner.StartsWith(outer.TrimEnd('/') + "/", StringComparison.OrdinalIgnoreCase);
}
