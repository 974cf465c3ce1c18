using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>A policy target's settings for the Azure connector, parsed and checked.</summary>
internal sealed record AzureTarget(
    string TenantId,
    string SubscriptionId,
    string ClientId,
    string PrincipalObjectId,
    AzureMintMode Mode,
    AgentCredentialSource? AgentCredential,
    string? ApplicationObjectId,
    IReadOnlyList<AllowedRole> AllowedRoles,
    AzureEndpoints Endpoints)
{
    public const string TenantIdKey = "tenant_id";
    public const string SubscriptionIdKey = "subscription_id";
    public const string ClientIdKey = "client_id";
    public const string PrincipalObjectIdKey = "principal_object_id";
    public const string ClientSecretKey = "client_secret";
    public const string ClientCertificatePathKey = "client_certificate_path";
    public const string WorkloadIdentityTokenFileKey = "workload_identity_token_file";
    public const string AllowedRolesKey = "allowed_roles";
    public const string RoleIdsKey = "role_ids";
    public const string ModeKey = "mode";
    public const string ApplicationObjectIdKey = "application_object_id";

    private static readonly HashSet<string> KnownKeys = new(StringComparer.Ordinal)
    {
        TenantIdKey, SubscriptionIdKey, ClientIdKey, PrincipalObjectIdKey, ClientSecretKey, ClientCertificatePathKey,
        WorkloadIdentityTokenFileKey, AllowedRolesKey, RoleIdsKey, ModeKey, ApplicationObjectIdKey,
        AzureEndpoints.ArmEndpointKey, AzureEndpoints.LoginEndpointKey, AzureEndpoints.GraphEndpointKey,
    };

    /// <summary>The Graph path of the application whose secrets client-secret mode adds and removes.</summary>
    public string ApplicationPath => ApplicationObjectId is { } objectId
        ? $"applications/{objectId}"
        : $"applications(appId='{ClientId}')";

    public static IReadOnlyList<TargetSettingProblem> Validate(TargetSettings settings) => TryParse(settings, out _);

    public static AzureTarget Parse(TargetSettings settings)
    {
        var problems = TryParse(settings, out var target);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Azure target '{settings.Name}' is misconfigured: " + string.Join("; ", problems.Select(p => $"{p.Key}: {p.Message}")));
        }

        return target!;
    }

    /// <summary>Resolves a requested action (a role name or role definition GUID) against the allowed roles.</summary>
    public AllowedRole? ResolveRole(string action)
    {
        var trimmed = action.Trim();
        if (Guid.TryParse(trimmed, out var id))
        {
            return AllowedRoles.FirstOrDefault(r => r.Id == id);
        }

        return AllowedRoles.FirstOrDefault(r => string.Equals(r.Name, trimmed, StringComparison.OrdinalIgnoreCase));
    }

    private static List<TargetSettingProblem> TryParse(TargetSettings settings, out AzureTarget? target)
    {
        var problems = new List<TargetSettingProblem>();
        foreach (var key in settings.Settings.Keys.Where(k => !KnownKeys.Contains(k)))
        {
            problems.Add(new(key, "is not a setting of the azure connector."));
        }

        var tenantId = RequireTenant(settings, problems);
        var subscriptionId = RequireGuid(settings, SubscriptionIdKey, problems);
        var clientId = RequireGuid(settings, ClientIdKey, problems);
        var principalObjectId = RequireGuid(settings, PrincipalObjectIdKey, problems);
        var mode = ParseMode(settings, problems);
        var credential = ParseAgentCredential(settings, mode, problems);
        var applicationObjectId = OptionalGuid(settings, ApplicationObjectIdKey, problems);
        if (applicationObjectId is not null && mode != AzureMintMode.ClientSecret)
        {
            problems.Add(new(ApplicationObjectIdKey, "is only used in mode client_secret."));
        }

        var roles = ParseRoles(settings, problems);
        var endpoints = AzureEndpoints.Parse(settings, problems);

        target = problems.Count == 0
            ? new AzureTarget(tenantId!, subscriptionId!, clientId!, principalObjectId!, mode, credential, applicationObjectId, roles, endpoints)
            : null;
        return problems;
    }

    private static string? RequireTenant(TargetSettings settings, List<TargetSettingProblem> problems)
    {
        var value = settings.Get(TenantIdKey)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            problems.Add(new(TenantIdKey, "is required (the Entra ID tenant GUID or its domain)."));
            return null;
        }

        // Azure.Identity accepts GUIDs and domain names; anything else would be spliced into the token URL.
        if (!Guid.TryParse(value, out _) && !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
        {
            problems.Add(new(TenantIdKey, "must be a tenant GUID or a domain name."));
            return null;
        }

        return Guid.TryParse(value, out var id) ? id.ToString("D") : value;
    }

    private static string? RequireGuid(TargetSettings settings, string key, List<TargetSettingProblem> problems)
    {
        var value = settings.Get(key);
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add(new(key, "is required."));
            return null;
        }

        if (!Guid.TryParse(value.Trim(), out var id))
        {
            problems.Add(new(key, "must be a GUID."));
            return null;
        }

        return id.ToString("D");
    }

    private static string? OptionalGuid(TargetSettings settings, string key, List<TargetSettingProblem> problems) =>
        settings.Get(key) is null ? null : RequireGuid(settings, key, problems);

    private static AzureMintMode ParseMode(TargetSettings settings, List<TargetSettingProblem> problems)
    {
        switch (settings.Get(ModeKey)?.Trim().ToLowerInvariant())
        {
            case null or "" or "assignment":
                return AzureMintMode.Assignment;
            case "pim":
                return AzureMintMode.Pim;
            case "client_secret":
                return AzureMintMode.ClientSecret;
            default:
                problems.Add(new(ModeKey, "must be assignment, pim or client_secret."));
                return AzureMintMode.Assignment;
        }
    }

    private static AgentCredentialSource? ParseAgentCredential(TargetSettings settings, AzureMintMode mode, List<TargetSettingProblem> problems)
    {
        if (settings.Settings.ContainsKey(ClientSecretKey))
        {
            problems.Add(new(ClientSecretKey, "must be a secret reference (env: or file:), never an inline value."));
        }

        var sources = new List<AgentCredentialSource>();
        if (settings.SecretReferences.TryGetValue(ClientSecretKey, out var reference))
        {
            sources.Add(new AgentCredentialSource.Secret(reference));
        }

        if (settings.Get(ClientCertificatePathKey) is { } certificatePath)
        {
            if (string.IsNullOrWhiteSpace(certificatePath))
            {
                problems.Add(new(ClientCertificatePathKey, "must not be empty."));
            }
            else
            {
                sources.Add(new AgentCredentialSource.Certificate(certificatePath.Trim()));
            }
        }

        if (settings.Get(WorkloadIdentityTokenFileKey) is { } tokenFile)
        {
            if (string.IsNullOrWhiteSpace(tokenFile))
            {
                problems.Add(new(WorkloadIdentityTokenFileKey, "must not be empty."));
            }
            else
            {
                sources.Add(new AgentCredentialSource.WorkloadIdentity(tokenFile.Trim()));
            }
        }

        if (sources.Count > 1)
        {
            problems.Add(new(ClientSecretKey, $"give only one of {ClientSecretKey}, {ClientCertificatePathKey} and {WorkloadIdentityTokenFileKey}."));
            return null;
        }

        // Client-secret mode hands out a new application secret and never signs in as the agent itself.
        if (sources.Count == 0 && mode != AzureMintMode.ClientSecret)
        {
            problems.Add(new(ClientSecretKey, $"the agent service principal needs a credential: {ClientSecretKey} (secret reference), {ClientCertificatePathKey} or {WorkloadIdentityTokenFileKey}."));
        }

        return sources.FirstOrDefault();
    }

    private static List<AllowedRole> ParseRoles(TargetSettings settings, List<TargetSettingProblem> problems)
    {
        var names = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        var roleIdsProblemCount = problems.Count;
        foreach (var entry in Split(settings.Get(RoleIdsKey)))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !Guid.TryParse(entry[(equals + 1)..].Trim(), out var id))
            {
                problems.Add(new(RoleIdsKey, $"entry '{entry}' must look like 'Role Name=role-definition-guid'."));
                continue;
            }

            var name = entry[..equals].Trim();
            if (!names.TryAdd(name, id))
            {
                problems.Add(new(RoleIdsKey, $"names role '{name}' twice."));
            }
        }

        var allowedEntries = Split(settings.Get(AllowedRolesKey)).ToList();
        if (allowedEntries.Count == 0)
        {
            problems.Add(new(AllowedRolesKey, "is required: a comma-separated list of role names (mapped in role_ids) or role definition GUIDs."));
            return [];
        }

        var roles = new List<AllowedRole>();
        foreach (var entry in allowedEntries)
        {
            AllowedRole? role = null;
            if (Guid.TryParse(entry, out var id))
            {
                role = new AllowedRole(id, names.FirstOrDefault(n => n.Value == id).Key);
            }
            else if (names.TryGetValue(entry, out var mapped))
            {
                role = new AllowedRole(mapped, entry);
            }
            else if (problems.Count == roleIdsProblemCount)
            {
                problems.Add(new(AllowedRolesKey, $"role '{entry}' is neither a GUID nor named in role_ids."));
            }

            if (role is null)
            {
                continue;
            }

            if (AllowedRole.Escalating.TryGetValue(role.Id, out var escalating))
            {
                problems.Add(new(AllowedRolesKey, $"must not allow '{escalating}': it can write role assignments, so an agent holding it could outlive its lease."));
                continue;
            }

            if (roles.All(r => r.Id != role.Id))
            {
                roles.Add(role);
            }
        }

        return roles;
    }

    private static IEnumerable<string> Split(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
