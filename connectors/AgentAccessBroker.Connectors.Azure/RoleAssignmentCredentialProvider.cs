using System.Runtime.ExceptionServices;
using AgentAccessBroker.Credentials;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// Task-scoped Azure access: an RBAC role assignment (or a PIM schedule) for the agent's service principal at exactly
/// the requested scopes, handed over as the principal's ARM access token (or a new application secret that ends with
/// the lease). Revocation deletes the assignment; the token itself cannot be revoked and is said so.
/// </summary>
/// <remarks>
/// Because the token (or a token obtained with the lease's secret) outlives the revocation, an assignment that comes
/// back (a late PUT, an administrator) gives the access back: the provider is an <see cref="IRevokedCredentialLifetime"/>
/// and the broker re-verifies the revoked lease until the token expires. The health probe
/// (<see cref="ITargetHealthProbe"/>) signs in as the broker and lists the agent's role assignments, changing nothing.
/// </remarks>
internal sealed class RoleAssignmentCredentialProvider : ICredentialProvider, ITargetHealthProbe, IRevokedCredentialLifetime
{
    /// <summary>Revocation-data key: when the ARM token handed to the agent expires (assignment and PIM modes).</summary>
    public const string TokenExpiresAtKey = "token_expires_at";

    /// <summary>The clock skew ARM tolerates when it checks a token's expiry.</summary>
    private static readonly TimeSpan TokenClockSkew = TimeSpan.FromMinutes(5);

    public const string ConnectorName = "azure";

    /// <summary>ARM allows a few thousand assignments per subscription; one lease must not eat them.</summary>
    private const int MaxGrantsPerLease = 20;

    private readonly ArmRoleAssignments _assignments;
    private readonly PimScheduleRequests _pim;
    private readonly GraphApplicationPasswords _passwords;
    private readonly AgentTokenIssuer _agentTokens;
    private readonly ResiliencePipeline<bool> _visibility;
    private readonly int _visibilityChecks;
    private readonly ILogger _logger;
    private readonly AzureRestClient _arm;
    private readonly TimeSpan _revokedTokenLifetime;

    public RoleAssignmentCredentialProvider(
        IOptions<AzureConnectorOptions> options,
        ISecretResolver secrets,
        TimeProvider time,
        ILogger<RoleAssignmentCredentialProvider> logger)
    {
        var settings = options.Value;
        _logger = logger;
        TokenCredential broker = settings.BrokerCredential
            ?? new DefaultAzureCredential(settings.Transport is null ? new DefaultAzureCredentialOptions() : new DefaultAzureCredentialOptions { Transport = settings.Transport });
        var arm = _arm = new AzureRestClient(AzureEndpoints.ArmScope, broker, settings, time, logger);
        _revokedTokenLifetime = settings.RevokedTokenLifetime;
        var graph = new AzureRestClient(AzureEndpoints.GraphScope, broker, settings, time, logger);
        _assignments = new ArmRoleAssignments(arm, settings.MaxRetries, logger);
        _pim = new PimScheduleRequests(arm, settings.MaxRetries, logger);
        _passwords = new GraphApplicationPasswords(graph, logger);
        _agentTokens = new AgentTokenIssuer(secrets, settings);
        _visibilityChecks = settings.VisibilityChecks;

        var visibility = new ResiliencePipelineBuilder<bool> { TimeProvider = time };
        if (settings.VisibilityChecks > 1)
        {
            visibility.AddRetry(new RetryStrategyOptions<bool>
            {
                MaxRetryAttempts = settings.VisibilityChecks - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryDelay,
                MaxDelay = settings.MaxRetryDelay,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is null && !args.Outcome.Result),
            });
        }

        _visibility = visibility.Build();
    }

    public string Name => ConnectorName;

    public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target) => AzureTarget.Validate(target);

    public void CheckRequest(MintRequest request) => PlanFor(AzureTarget.Parse(request.Target), request);

    public RevocationData Plan(MintRequest request) => PlanFor(AzureTarget.Parse(request.Target), request).ToRevocationData();

    public async Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken)
    {
        var target = AzureTarget.Parse(request.Target);
        var lease = AzureLeasePlan.From(plan);
        if (!SameValues(PlanFor(target, request).ToRevocationData(), plan))
        {
            throw new InvalidOperationException($"The revocation plan of lease {request.LeaseId} does not match its mint request; mint with the plan Plan() returned.");
        }

        try
        {
            var result = lease.Mode switch
            {
                AzureMintMode.Pim => await MintPimAsync(target, lease, request, cancellationToken).ConfigureAwait(false),
                _ => await MintAssignmentAsync(target, lease, request, cancellationToken).ConfigureAwait(false),
            };
            _logger.Minted(request.LeaseId, lease.Grants.Count, lease.Mode.ToString(), result.ExpiresAt);
            return result;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Undo now rather than leave access behind until the sweep; a failure here is logged and the sweep retries
            // from the lease row. On cancellation (shutdown) the sweep does it alone.
            try
            {
                await RevokeCoreAsync(request.LeaseId, target.Endpoints, lease, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception undo)
            {
                _logger.MintUndoFailed(undo, request.LeaseId);
            }

            throw;
        }
    }

    public Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken) =>
        RevokeCoreAsync(request.LeaseId, AzureEndpoints.Parse(request.Target), AzureLeasePlan.From(request.Data), cancellationToken);

    public async Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken)
    {
        var endpoints = AzureEndpoints.Parse(request.Target);
        var lease = AzureLeasePlan.From(request.Data);
        var remaining = new List<string>();
        var checkedItems = new List<string>();
        foreach (var grant in lease.Grants)
        {
            if (lease.Mode == AzureMintMode.Pim)
            {
                var held = await HoldsAsync(endpoints, lease, grant, cancellationToken).ConfigureAwait(false);
                (held ? remaining : checkedItems).Add($"principal {lease.PrincipalObjectId} {(held ? "still holds" : "holds no")} {grant.Describe()} (role assignment list)");
            }
            else
            {
                var assignment = await _assignments.GetAsync(endpoints, grant, cancellationToken).ConfigureAwait(false);
                (assignment is null ? checkedItems : remaining).Add(
                    $"GET role assignment {grant.Name:D} ({grant.Describe()}) returned {(assignment is null ? "404" : "200")}");
            }
        }

        if (lease.Mode == AzureMintMode.ClientSecret)
        {
            var left = await LeaseSecretsAsync(endpoints, lease, cancellationToken).ConfigureAwait(false);
            (left.Count == 0 ? checkedItems : remaining).Add(
                $"{left.Count} secret(s) of this lease listed on {lease.ApplicationPath}" + (left.Count == 0 ? string.Empty : ": " + string.Join(", ", left.Select(p => p.KeyId))));
        }

        return remaining.Count == 0
            ? new VerificationResult(true, string.Join("; ", checkedItems))
            : new VerificationResult(false, "Still present: " + string.Join("; ", remaining));
    }

    /// <summary>
    /// Assignment and PIM modes: the handed-over token's expiry (none recorded means the mint never handed one over).
    /// Client-secret mode: the secret's end (the lease's) plus <see cref="AzureConnectorOptions.RevokedTokenLifetime"/>,
    /// the longest a token obtained with it before revocation lives. Both plus ARM's clock skew.
    /// </summary>
    public DateTimeOffset? UsableUntil(RevocationRequest request)
    {
        var lease = AzureLeasePlan.From(request.Data);
        if (lease.Mode == AzureMintMode.ClientSecret)
        {
            return request.ExpiresAt + _revokedTokenLifetime + TokenClockSkew;
        }

        return request.Data.Get(TokenExpiresAtKey) is { } text
            && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var expires)
                ? expires + TokenClockSkew
                : null;
    }

    /// <summary>
    /// A token for the broker's own identity (through the pipeline's bearer policy) and one ARM read: the agent
    /// principal's role assignments in the target's subscription. Not retried; the broker probes again at its own
    /// interval. The exception names the operation, HTTP status and Azure error code only, never a token or body.
    /// </summary>
    public async Task ProbeAsync(TargetSettings target, CancellationToken cancellationToken)
    {
        var endpoints = AzureEndpoints.Parse(target);
        var subscription = target.Get(AzureTarget.SubscriptionIdKey) ?? throw new InvalidOperationException($"Azure target '{target.Name}' has no {AzureTarget.SubscriptionIdKey}.");
        var principal = target.Get(AzureTarget.PrincipalObjectIdKey) ?? throw new InvalidOperationException($"Azure target '{target.Name}' has no {AzureTarget.PrincipalObjectIdKey}.");
        var operation = $"list role assignments of {principal} in subscription {subscription} (health probe)";
        var filter = Uri.EscapeDataString($"principalId eq '{principal}'");
        var uri = endpoints.ArmUrl($"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleAssignments?api-version={ArmRoleAssignments.ApiVersion}&$filter={filter}");
        AzureResponse response;
        try
        {
            response = await _arm.SendOnceWithoutRetryAsync(new AzureCall(RequestMethod.Get, uri, null, operation), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _logger.ProbeFailed(target.Name, ex.GetType().Name);
            throw new InvalidOperationException($"Azure did not answer the health probe of target '{target.Name}' ({ex.GetType().Name}) while trying to {operation}.", ex);
        }

        if (response.Status != 200)
        {
            _logger.ProbeFailed(target.Name, $"HTTP {response.Status} ({response.ErrorCode ?? "no error code"})");
            throw response.ToException(operation);
        }
    }

    private static AzureLeasePlan PlanFor(AzureTarget target, MintRequest request)
    {
        if (request.Resources.Count == 0 || request.Actions.Count == 0)
        {
            throw new CredentialRequestException("azure_nothing_requested", "Name at least one Azure scope (resource) and one role (action).");
        }

        var roles = new List<AllowedRole>();
        foreach (var action in request.Actions)
        {
            var role = target.ResolveRole(action) ?? throw new CredentialRequestException(
                "role_not_allowed",
                $"Role '{Shorten(action)}' is not allowed on target '{request.Target.Name}'. Allowed roles: {string.Join(", ", target.AllowedRoles.Select(r => r.DisplayName))}.");
            if (roles.All(r => r.Id != role.Id))
            {
                roles.Add(role);
            }
        }

        var scopes = new List<string>();
        foreach (var resource in request.Resources)
        {
            if (AzureScope.Check(resource, target.SubscriptionId) is { } problem)
            {
                throw new CredentialRequestException("invalid_scope", problem);
            }

            if (!scopes.Any(s => AzureScope.Canonical(s) == AzureScope.Canonical(resource)))
            {
                scopes.Add(resource);
            }
        }

        if (roles.Count * scopes.Count > MaxGrantsPerLease)
        {
            throw new CredentialRequestException(
                "too_many_grants",
                $"{scopes.Count} scope(s) x {roles.Count} role(s) would need {roles.Count * scopes.Count} role assignments; one lease may hold at most {MaxGrantsPerLease}. Ask for a broader scope or fewer roles.");
        }

        var pim = target.Mode == AzureMintMode.Pim;
        var grants = (
            from scope in scopes
            from role in roles
            let canonical = AzureScope.Canonical(scope)
            let roleId = role.Id.ToString("D")
            select new PlannedGrant(
                scope,
                role.DisplayName,
                role.Id,
                DeterministicGuid.Create(pim ? "pim-assign" : "role-assignment", request.LeaseId, canonical, roleId),
                pim ? DeterministicGuid.Create("pim-remove", request.LeaseId, canonical, roleId) : null)).ToList();

        var secret = target.Mode == AzureMintMode.ClientSecret;
        return new AzureLeasePlan(
            target.Mode,
            target.PrincipalObjectId,
            target.SubscriptionId,
            grants,
            secret ? target.ApplicationPath : null,
            secret ? $"AgentAccessBroker {request.LeaseId}" : null,
            PasswordKeyId: null);
    }

    private async Task<MintResult> MintAssignmentAsync(AzureTarget target, AzureLeasePlan lease, MintRequest request, CancellationToken cancellationToken)
    {
        var description = $"AgentAccessBroker lease {request.LeaseId} for task {request.TaskId} (agent {request.AgentId})";
        foreach (var grant in lease.Grants)
        {
            await _assignments.CreateAsync(target.Endpoints, grant, lease, description, request.LeaseId, cancellationToken).ConfigureAwait(false);
        }

        foreach (var grant in lease.Grants)
        {
            await WaitUntilVisibleAsync(
                grant,
                async ct => await _assignments.GetAsync(target.Endpoints, grant, ct).ConfigureAwait(false) is not null,
                cancellationToken).ConfigureAwait(false);
        }

        if (lease.Mode == AzureMintMode.ClientSecret)
        {
            var password = await _passwords.AddAsync(
                target.Endpoints, lease.ApplicationPath!, lease.PasswordDisplayName!, request.NotAfter, request.LeaseId, cancellationToken).ConfigureAwait(false);
            return new MintResult(
                AzureIssuedCredentials.ForSecret(target, password),
                (lease with { PasswordKeyId = password.KeyId }).ToRevocationData(),
                password.EndDateTime,
                Revocability.Immediate,
                AzureIssuedCredentials.RevocationNote(lease.Mode, lease.Grants, password.EndDateTime));
        }

        return await HandOverTokenAsync(target, lease, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MintResult> MintPimAsync(AzureTarget target, AzureLeasePlan lease, MintRequest request, CancellationToken cancellationToken)
    {
        foreach (var grant in lease.Grants)
        {
            var state = await _pim.AssignAsync(target.Endpoints, grant, lease, request, cancellationToken).ConfigureAwait(false);
            if (state.IsAwaitingApproval)
            {
                await _pim.CancelAsync(target.Endpoints, grant.Scope, grant.Name, cancellationToken).ConfigureAwait(false);
                throw new CredentialRequestException(
                    "pim_approval_required",
                    $"PIM wants an approval before assigning {grant.Describe()}; the broker does its own approvals and withdrew the PIM request. Use mode assignment for this target or relax the scope's role management policy.");
            }

            if (!state.IsGoing)
            {
                var status = new string(state.Status.Where(char.IsAsciiLetter).ToArray());
                throw new CredentialRequestException($"pim_request_{status.ToLowerInvariant()}", $"PIM did not assign {grant.Describe()}: request status {status}.");
            }
        }

        foreach (var grant in lease.Grants)
        {
            await WaitUntilVisibleAsync(grant, ct => HoldsAsync(target.Endpoints, lease, grant, ct), cancellationToken).ConfigureAwait(false);
        }

        return await HandOverTokenAsync(target, lease, cancellationToken).ConfigureAwait(false);
    }

    private async Task<MintResult> HandOverTokenAsync(AzureTarget target, AzureLeasePlan lease, CancellationToken cancellationToken)
    {
        var token = await _agentTokens.GetManagementTokenAsync(target, cancellationToken).ConfigureAwait(false);
        return new MintResult(
            AzureIssuedCredentials.ForToken(target, token),
            // The token outlives the revocation; its expiry bounds how long the revoked lease is re-verified.
            lease.ToRevocationData().With(TokenExpiresAtKey, token.ExpiresOn.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
            token.ExpiresOn,
            // Deleting the assignment removes the access itself; the token's remaining life is explained in the note.
            Revocability.Immediate,
            AzureIssuedCredentials.RevocationNote(lease.Mode, lease.Grants, token.ExpiresOn));
    }

    private async Task WaitUntilVisibleAsync(PlannedGrant grant, Func<CancellationToken, Task<bool>> isVisible, CancellationToken cancellationToken)
    {
        // ARM is eventually consistent: a token used before the assignment replicates gets 403.
        var visible = await _visibility.ExecuteAsync(async ct => await isVisible(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (!visible)
        {
            throw new TimeoutException($"The role assignment for {grant.Describe()} was created but was not visible after {_visibilityChecks} checks.");
        }
    }

    private async Task RevokeCoreAsync(string leaseId, AzureEndpoints endpoints, AzureLeasePlan lease, CancellationToken cancellationToken)
    {
        // Every part is attempted even when one fails, so one stuck grant does not keep the others alive.
        var failures = new List<Exception>();
        if (lease.Mode == AzureMintMode.ClientSecret)
        {
            await Attempt(() => RemoveLeaseSecretsAsync(endpoints, lease, cancellationToken)).ConfigureAwait(false);
        }

        foreach (var grant in lease.Grants)
        {
            await Attempt(() => lease.Mode == AzureMintMode.Pim
                ? RemovePimGrantAsync(endpoints, lease, grant, leaseId, cancellationToken)
                : _assignments.DeleteAsync(endpoints, grant, cancellationToken)).ConfigureAwait(false);
        }

        if (failures.Count == 1)
        {
            ExceptionDispatchInfo.Capture(failures[0]).Throw();
        }

        if (failures.Count > 1)
        {
            throw new AggregateException($"Revoking lease {leaseId} failed for {failures.Count} part(s).", failures);
        }

        async Task Attempt(Func<Task> part)
        {
            try
            {
                await part().ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add(ex);
            }
        }
    }

    private async Task RemovePimGrantAsync(AzureEndpoints endpoints, AzureLeasePlan lease, PlannedGrant grant, string leaseId, CancellationToken cancellationToken)
    {
        // Only what this lease's own AdminAssign created may be removed: the principal can hold the same role at the same
        // scope through another lease later, and PIM's AdminRemove does not say which assignment it ends.
        if (await _pim.GetAsync(endpoints, grant.Scope, grant.RemoveRequestName!.Value, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        var assign = await _pim.GetAsync(endpoints, grant.Scope, grant.Name, cancellationToken).ConfigureAwait(false);
        if (assign is null)
        {
            return;
        }

        if (assign.IsAwaitingApproval)
        {
            await _pim.CancelAsync(endpoints, grant.Scope, grant.Name, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (await HoldsAsync(endpoints, lease, grant, cancellationToken).ConfigureAwait(false))
        {
            await _pim.RemoveAsync(endpoints, grant, lease, leaseId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> HoldsAsync(AzureEndpoints endpoints, AzureLeasePlan lease, PlannedGrant grant, CancellationToken cancellationToken)
    {
        var assignments = await _assignments.ListForPrincipalAsync(endpoints, grant.Scope, lease.PrincipalObjectId, cancellationToken).ConfigureAwait(false);
        return assignments.Any(a => a.Grants(lease.PrincipalObjectId, grant.RoleDefinitionGuid, grant.Scope));
    }

    private async Task RemoveLeaseSecretsAsync(AzureEndpoints endpoints, AzureLeasePlan lease, CancellationToken cancellationToken)
    {
        foreach (var password in await LeaseSecretsAsync(endpoints, lease, cancellationToken).ConfigureAwait(false))
        {
            await _passwords.RemoveAsync(endpoints, lease.ApplicationPath!, password, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The lease's secrets by key id or, when a crash lost the key id, by the display name planned before the call.
    /// </summary>
    private async Task<IReadOnlyList<ApplicationPassword>> LeaseSecretsAsync(AzureEndpoints endpoints, AzureLeasePlan lease, CancellationToken cancellationToken)
    {
        var passwords = await _passwords.ListAsync(endpoints, lease.ApplicationPath!, cancellationToken).ConfigureAwait(false);
        return passwords
            .Where(p => string.Equals(p.KeyId, lease.PasswordKeyId, StringComparison.OrdinalIgnoreCase)
                || string.Equals(p.DisplayName, lease.PasswordDisplayName, StringComparison.Ordinal))
            .ToList();
    }

    private static bool SameValues(RevocationData expected, RevocationData actual) =>
        expected.Values.Count == actual.Values.Count
        && expected.Values.All(kv => actual.Values.TryGetValue(kv.Key, out var value) && value == kv.Value);

    private static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "...";
}
