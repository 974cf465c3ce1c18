using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// Just-in-time PostgreSQL login roles (connector <c>postgresql</c>). Mint creates role <c>aab_&lt;lease&gt;</c> with a
/// random password valid until the lease end and exactly the requested table privileges; revoke ends every way in
/// and drops the role; verify proves it from pg_roles and pg_stat_activity.
/// </summary>
internal sealed class PostgresLoginRoleProvider : ICredentialProvider, IMintPreparer, ITargetHealthProbe, ICombinedRevocation
{
    public const string ConnectorName = "postgresql";
    public const string InvalidLeaseWindowCode = "invalid_lease_window";

    private static readonly ResiliencePropertyKey<string> OperationKey = new("aab.postgresql.operation");
    private static readonly ResiliencePropertyKey<IReadOnlyCollection<string>> SecretsKey = new("aab.postgresql.secrets");

    private readonly PostgresConnectorOptions _options;
    private readonly ISecretResolver _secrets;
    private readonly ILogger<PostgresLoginRoleProvider> _logger;
    private readonly LoginRoleMinter _minter = new();
    private readonly LoginRoleRevoker _revoker;
    private readonly ResiliencePipeline _retry;

    public PostgresLoginRoleProvider(
        IOptions<PostgresConnectorOptions> options,
        ISecretResolver secrets,
        TimeProvider timeProvider,
        ILogger<PostgresLoginRoleProvider> logger)
    {
        _options = options.Value;
        _secrets = secrets;
        _logger = logger;
        _revoker = new LoginRoleRevoker(_options, logger);
        _retry = BuildRetry(_options, timeProvider, logger);
    }

    public string Name => ConnectorName;

    /// <summary>Where login passwords come from; tests substitute a known one to search logs and errors for it.</summary>
    internal Func<LoginSecret> NewSecret { get; init; } = LoginSecret.Create;

    public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target) => PostgresTarget.Validate(target);

    public void CheckRequest(MintRequest request) => Check(request);

    public RevocationData Plan(MintRequest request)
    {
        var target = PostgresTarget.From(request.Target);
        var grants = Check(request);
        return new LoginRoleRevocationData(LoginRoleName.For(request.LeaseId), grants.Databases, target.Host, target.Port, target.AdminDatabase, RoleOid: null)
            .ToRevocationData();
    }

    /// <summary>
    /// The login role's password and its SCRAM verifier: 4,096 rounds of PBKDF2, the mint's one costly local step,
    /// which the broker runs beside its lease row's write (<see cref="IMintPreparer"/>).
    /// </summary>
    public MintPreparation Prepare(TargetSettings target) => new PreparedLogin(NewSecret());

    public Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken) =>
        MintPreparedAsync(request, plan, Prepare(request.Target), cancellationToken);

    public async Task<MintResult> MintPreparedAsync(MintRequest request, RevocationData plan, MintPreparation prepared, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.From(request.Target);
        var grants = Check(request);
        var data = LoginRoleRevocationData.From(plan);
        if (data.Role != LoginRoleName.For(request.LeaseId) || !data.Databases.SequenceEqual(grants.Databases, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"The revocation plan for role {data.Role} does not belong to lease {request.LeaseId}'s request.");
        }

        var endpoint = Endpoint(target, data);
        var secret = prepared is PreparedLogin login ? login.Secret : throw new ArgumentException("The preparation was not made by this connector.", nameof(prepared));
        IReadOnlyCollection<string> secrets = [.. endpoint.Secrets, secret.Password, secret.Verifier];
        var progress = new LoginRoleMinter.Progress();
        try
        {
            var oid = await _minter.MintAsync(endpoint, data.Role, grants, secret, request.NotAfter, progress, cancellationToken);
            _logger.RoleMinted(data.Role, endpoint.Describe(endpoint.AdminDatabase), string.Join(", ", grants.Privileges), grants.Databases.Count, request.NotAfter);
            return new MintResult(
                LoginCredential.Create(target, grants.Databases[0], data.Role, secret.Password),
                (data with { RoleOid = oid }).ToRevocationData(),
                request.NotAfter,
                Revocability.Immediate,
                RevocationNote(request.NotAfter));
        }
        catch (Exception e)
        {
            if (progress.RoleMayExist)
            {
                _logger.MintFailed(data.Role, PostgresFaults.Describe(e, secrets));
                await RollBackAsync(endpoint, data, secrets);
            }

            if (e is CredentialRequestException or OperationCanceledException)
            {
                throw;
            }

            throw PostgresFaults.Wrap($"Minting login role {data.Role} on {endpoint.Host}:{endpoint.Port}", e, secrets);
        }
    }

    public async Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken)
    {
        var data = LoginRoleRevocationData.From(request.Data);
        await RevokeWithRetriesAsync("revocation", Endpoint(PostgresTarget.From(request.Target), data), data, cancellationToken);
    }

    public Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken) =>
        OnRoleAsync("verification", request, LoginRoleInspector.VerifyAsync, cancellationToken);

    /// <summary>
    /// Revokes and verifies on one connection in two round trips (see <see cref="LoginRoleRevoker.RevokeAndVerifyAsync"/>),
    /// retried as a whole on transient faults like <see cref="RevokeAsync"/>.
    /// </summary>
    public Task<VerificationResult> RevokeAndVerifyAsync(RevocationRequest request, CancellationToken cancellationToken) =>
        OnRoleAsync("revocation", request, _revoker.RevokeAndVerifyAsync, cancellationToken);

    /// <summary>Runs an operation on the lease's login role, on its target's admin endpoint, with retries.</summary>
    private async Task<VerificationResult> OnRoleAsync(
        string operation,
        RevocationRequest request,
        Func<AdminEndpoint, LoginRoleRevocationData, CancellationToken, Task<VerificationResult>> action,
        CancellationToken cancellationToken)
    {
        var data = LoginRoleRevocationData.From(request.Data);
        var endpoint = Endpoint(PostgresTarget.From(request.Target), data);
        return await RetryingAsync($"{operation} of {data.Role} on {endpoint.Host}:{endpoint.Port}", endpoint, ct => action(endpoint, data, ct), cancellationToken);
    }

    /// <summary>Logs in as the broker on the admin database and runs <c>SELECT 1</c>, once, without retries.</summary>
    public async Task ProbeAsync(TargetSettings target, CancellationToken cancellationToken)
    {
        var parsed = PostgresTarget.From(target);
        var endpoint = new AdminEndpoint(parsed, parsed.Host, parsed.Port, parsed.AdminDatabase, _secrets.Resolve(parsed.Password), _options);
        await using var connection = await endpoint.OpenAsync(endpoint.AdminDatabase, cancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken);
    }

    private static string RevocationNote(DateTimeOffset notAfter) =>
        "Revocation is immediate: the login role is set NOLOGIN, its password expired, every open session using it " +
        "terminated, whatever it owns removed in each database it touched, and the role dropped. Independently, the " +
        $"password stops working at {notAfter.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (VALID UNTIL); that alone would not end " +
        "sessions already open, which is why revocation terminates them.";

    private static RequestedGrants Check(MintRequest request)
    {
        var grants = RequestedGrants.Parse(request.Resources, request.Actions);
        if (request.NotAfter <= request.Now)
        {
            throw new CredentialRequestException(InvalidLeaseWindowCode, "The lease must end after it starts.");
        }

        return grants;
    }

    private AdminEndpoint Endpoint(PostgresTarget target, LoginRoleRevocationData data) =>
        new(target, data.Host, data.Port, data.AdminDatabase, _secrets.Resolve(target.Password), _options);

    private async Task RollBackAsync(AdminEndpoint endpoint, LoginRoleRevocationData data, IReadOnlyCollection<string> secrets)
    {
        try
        {
            // Not cancellable: a cancelled mint must not leave a working role behind.
            await RevokeWithRetriesAsync("rollback", endpoint, data, CancellationToken.None);
        }
        catch (Exception rollback)
        {
            // The lease row written before minting still points at the role; its revocation will finish the job.
            _logger.RollbackFailed(data.Role, PostgresFaults.Describe(rollback, secrets));
        }
    }

    private Task<bool> RevokeWithRetriesAsync(string operation, AdminEndpoint endpoint, LoginRoleRevocationData data, CancellationToken cancellationToken) =>
        RetryingAsync(
            $"{operation} of {data.Role} on {endpoint.Host}:{endpoint.Port}",
            endpoint,
            async ct =>
            {
                await _revoker.RevokeAsync(endpoint, data, ct);
                return true;
            },
            cancellationToken);

    /// <summary>Runs an idempotent operation with retries on transient faults; failures leave as safe exceptions.</summary>
    private async Task<T> RetryingAsync<T>(string operation, AdminEndpoint endpoint, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OperationKey, operation);
        context.Properties.Set(SecretsKey, endpoint.Secrets);
        try
        {
            return await _retry.ExecuteAsync(static async (ctx, run) => await run(ctx.CancellationToken), context, action);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw PostgresFaults.Wrap(char.ToUpperInvariant(operation[0]) + operation[1..], e, endpoint.Secrets);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static ResiliencePipeline BuildRetry(PostgresConnectorOptions options, TimeProvider timeProvider, ILogger logger)
    {
        if (options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && PostgresFaults.IsTransient(e)),
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(10),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    logger.Retrying(
                        args.Context.Properties.GetValue(OperationKey, "operation"),
                        PostgresFaults.Describe(args.Outcome.Exception!, args.Context.Properties.GetValue(SecretsKey, [])),
                        args.AttemptNumber + 1,
                        args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    private sealed class PreparedLogin(LoginSecret secret) : MintPreparation
    {
        public LoginSecret Secret { get; } = secret;
    }
}
