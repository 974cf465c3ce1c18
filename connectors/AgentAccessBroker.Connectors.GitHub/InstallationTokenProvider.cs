using System.Globalization;
using System.Security.Cryptography;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// The <c>github</c> provider: a GitHub App installation token per lease, naming exactly the requested repositories
/// (<c>owner/repo</c>) and permissions (<c>contents:write</c>), revoked with <c>DELETE /installation/token</c>.
/// </summary>
/// <remarks>
/// GitHub gives every installation token one hour and revokes one only when shown it, so: leases are at most one hour
/// (longer ones are refused before anyone approves them, never silently shortened); the token is kept for revoke
/// sealed under a key derived from the app's private key (<see cref="TokenSeal"/>); and a mint interrupted before its
/// result was saved leaves a token nobody can name, which <see cref="VerifyAsync"/> reports as possibly alive until
/// the latest moment it could expire.
/// </remarks>
internal sealed class InstallationTokenProvider(
    GitHubConnectorOptions options,
    ISecretResolver secrets,
    TimeProvider clock,
    ILogger<InstallationTokenProvider> logger) : ICredentialProvider, IDisposable
{
    public const string ConnectorName = "github";

    /// <summary>
    /// How long after the request a mint may still reach GitHub (the plan is written after the decision, just before
    /// the mint; this covers a slow node and the call's own timeout).
    /// </summary>
    public static readonly TimeSpan MintWindow = TimeSpan.FromMinutes(10);

    /// <summary>How long GitHub's installation tokens last; also the longest lease this connector grants.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);

    internal const string ApiUrlKey = "api_url";
    internal const string AppIdKey = "app_id";
    internal const string InstallationIdKey = "installation_id";
    internal const string PlannedAtKey = "planned_at";
    internal const string SealedTokenKey = "token_sealed";
    internal const string TokenExpiresAtKey = "token_expires_at";
    internal const string RepositoriesKey = "repositories";
    internal const string PermissionsKey = "permissions";

    private readonly GitHubApi _api = new(options.RequestTimeout);

    public string Name => ConnectorName;

    public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target)
    {
        var problems = new List<TargetSettingProblem>();
        GitHubTarget.Parse(target, problems);
        return problems;
    }

    public void CheckRequest(MintRequest request) => Check(request, GitHubTarget.Parse(request.Target));

    public RevocationData Plan(MintRequest request)
    {
        var target = GitHubTarget.Parse(request.Target);
        var (repositories, permissions) = Check(request, target);
        return RevocationData.Of(
            (ApiUrlKey, target.ApiUrl.AbsoluteUri),
            (AppIdKey, target.AppId.ToString(CultureInfo.InvariantCulture)),
            (InstallationIdKey, target.InstallationId?.ToString(CultureInfo.InvariantCulture) ?? string.Empty),
            (PlannedAtKey, Format(request.Now)),
            (RepositoriesKey, repositories.Owner + "/" + string.Join(",", repositories.Names)),
            (PermissionsKey, permissions.ToString()));
    }

    public async Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken)
    {
        var target = GitHubTarget.Parse(request.Target);
        var (repositories, permissions) = Check(request, target);
        var now = clock.GetUtcNow();
        if (request.NotAfter - now > TokenLifetime)
        {
            throw new CredentialRequestException(
                "github_lease_too_long",
                $"The lease would end {request.NotAfter:O}, more than one hour from now; GitHub installation tokens last one hour. Ask again for at most 60 minutes.")
            { NothingCreated = true };
        }

        using var appKey = LoadAppKey(target, request.Target.Name);
        var jwt = AppJwt.Create(target.AppId, appKey, now);
        Octokit.AccessToken token;
        long installationId;
        try
        {
            installationId = target.InstallationId ?? await _api.FindInstallationAsync(target.ApiUrl, jwt, target.Owner!, cancellationToken);
            token = await _api.CreateTokenAsync(target.ApiUrl, jwt, installationId, repositories, permissions, cancellationToken);
        }
        catch (GitHubCallException e)
        {
            GitHubLog.CallFailed(logger, "mint", target.ApiUrl.Host, e.Message);
            if (e.Status is 403 or 404 or 422 && e.Code != "github_rate_limited")
            {
                // A definite refusal of what was asked (a repository outside the installation, a permission it lacks).
                throw new CredentialRequestException(e.Code, $"GitHub refused the token for target '{request.Target.Name}': {e.Message}", e) { NothingCreated = true };
            }

            throw new CredentialMintException(e.Code, $"GitHub did not mint a token for target '{request.Target.Name}': {e.Message}", nothingCreated: e.Refused, e);
        }

        var expiresAt = token.ExpiresAt;
        if (expiresAt < request.NotAfter - options.ClockSkewTolerance)
        {
            GitHubLog.TokenShorterThanLease(logger, request.LeaseId, expiresAt, request.NotAfter);
            await _api.DeleteTokenAsync(target.ApiUrl, token.Token, CancellationToken.None);
            throw new CredentialMintException(
                "github_token_shorter_than_lease",
                $"GitHub's token would expire at {expiresAt:O}, before the lease end {request.NotAfter:O}; it was revoked. Ask for a shorter lease.",
                nothingCreated: true);
        }

        var data = plan
            .With(InstallationIdKey, installationId.ToString(CultureInfo.InvariantCulture))
            .With(SealedTokenKey, TokenSeal.Seal(appKey, token.Token, SealContext(request.LeaseId, installationId)))
            .With(TokenExpiresAtKey, Format(expiresAt));
        GitHubLog.Minted(logger, request.LeaseId, installationId, repositories.Owner, string.Join(",", repositories.Names), permissions.ToString(), expiresAt);
        return new MintResult(
            GitHubCredentialForms.Create(token.Token, target.GitHost, repositories),
            data,
            expiresAt,
            Revocability.Immediate,
            $"A GitHub App installation token for {repositories.Names.Count} repositor{(repositories.Names.Count == 1 ? "y" : "ies")} of {repositories.Owner} with {permissions}; "
            + $"revoked at the lease end (DELETE /installation/token takes effect at once), and GitHub ends it at {expiresAt:O} in any case.");
    }

    public async Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken)
    {
        var now = request.Now;
        if (request.Data.Get(SealedTokenKey) is not { } sealedToken)
        {
            GitHubLog.NoTokenToRevoke(logger, request.LeaseId, LatestPossibleExpiry(request.Data));
            return;
        }

        var expiresAt = Parse(request.Data.Require(TokenExpiresAtKey));
        if (now >= expiresAt)
        {
            GitHubLog.AlreadyExpired(logger, request.LeaseId, expiresAt);
            return;
        }

        var apiUrl = new Uri(request.Data.Require(ApiUrlKey));
        var token = OpenToken(request, expiresAt);
        try
        {
            var status = await _api.DeleteTokenAsync(apiUrl, token, cancellationToken);
            GitHubLog.Revoked(logger, request.LeaseId, status);
        }
        catch (GitHubCallException e)
        {
            GitHubLog.CallFailed(logger, "revoke", apiUrl.Host, e.Message);
            throw new InvalidOperationException($"Revoking the GitHub token of lease {request.LeaseId} failed: {e.Message}", e);
        }
    }

    public async Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken)
    {
        var now = request.Now;
        if (request.Data.Get(SealedTokenKey) is not { } sealedToken)
        {
            var latest = LatestPossibleExpiry(request.Data);
            return now >= latest
                ? new VerificationResult(true, $"No token was saved for this lease; any token its mint could have created expired by {latest:O}.")
                : new VerificationResult(false, $"No token was saved for this lease. If its interrupted mint created one, GitHub revokes it only when shown the token, so it stays valid until {latest:O} at the latest.");
        }

        var expiresAt = Parse(request.Data.Require(TokenExpiresAtKey));
        if (now >= expiresAt)
        {
            return new VerificationResult(true, $"The token expired at {expiresAt:O} (GitHub's one-hour limit).");
        }

        var apiUrl = new Uri(request.Data.Require(ApiUrlKey));
        var token = OpenToken(request, expiresAt);
        try
        {
            return await _api.TokenWorksAsync(apiUrl, token, cancellationToken)
                ? new VerificationResult(false, $"GET /installation/repositories on {apiUrl.Host} with the lease's token still succeeds.")
                : new VerificationResult(true, $"GET /installation/repositories on {apiUrl.Host} with the lease's token was refused with 401.");
        }
        catch (GitHubCallException e)
        {
            throw new InvalidOperationException($"Verifying the GitHub token of lease {request.LeaseId} failed: {e.Message}", e);
        }
    }

    public void Dispose() => _api.Dispose();

    internal static (GitHubRepositories Repositories, GitHubPermissions Permissions) Check(MintRequest request, GitHubTarget target)
    {
        if (request.NotAfter - request.Now > TokenLifetime)
        {
            throw new CredentialRequestException(
                "github_lease_too_long",
                $"GitHub installation tokens last one hour, so a github lease lasts at most 60 minutes (asked: {(request.NotAfter - request.Now).TotalMinutes:0} minutes). "
                + "Ask for 60 minutes or less and ask again when it ends; the broker never extends or shortens it silently.")
            { NothingCreated = true };
        }

        var repositories = GitHubRepositories.Parse(request.Resources);
        if (target.Owner is { } owner && !owner.Equals(repositories.Owner, StringComparison.OrdinalIgnoreCase))
        {
            throw new CredentialRequestException(
                "github_wrong_owner",
                $"Target '{request.Target.Name}' covers repositories of '{owner}' only; ask for {owner}/<repo>.")
            { NothingCreated = true };
        }

        if (request.Actions.Count == 0)
        {
            throw new CredentialRequestException("github_no_permission", "Name at least one permission with its level, such as contents:read.") { NothingCreated = true };
        }

        if (!GitHubPermissions.TryParse(request.Actions, out var permissions, out var error))
        {
            throw new CredentialRequestException("github_bad_permission", error) { NothingCreated = true };
        }

        var beyond = permissions.NotCoveredBy(target.AllowedPermissions);
        if (beyond.Count > 0)
        {
            throw new CredentialRequestException(
                "github_permission_not_allowed",
                $"Target '{request.Target.Name}' does not allow {string.Join(", ", beyond)}; allowed: {target.AllowedPermissions}.")
            { NothingCreated = true };
        }

        return (repositories, permissions);
    }

    private RSA LoadAppKey(GitHubTarget target, string targetName)
    {
        string pem;
        try
        {
            pem = secrets.Resolve(target.PrivateKey);
        }
        catch (InvalidOperationException e)
        {
            throw new CredentialMintException("github_private_key_unreadable", $"The GitHub App private key of target '{targetName}' ({target.PrivateKey}) cannot be read.", nothingCreated: true, e);
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            // The exception text of a PEM parser may quote the input: it is dropped, not wrapped.
            throw new CredentialMintException("github_private_key_invalid", $"The GitHub App private key of target '{targetName}' ({target.PrivateKey}) is not an RSA private key in PEM form.", nothingCreated: true);
        }
    }

    private string OpenToken(RevocationRequest request, DateTimeOffset expiresAt)
    {
        var target = GitHubTarget.Parse(request.Target);
        using var appKey = LoadAppKey(target, request.Target.Name);
        var installationId = long.Parse(request.Data.Require(InstallationIdKey), NumberStyles.None, CultureInfo.InvariantCulture);
        return TokenSeal.Open(appKey, request.Data.Require(SealedTokenKey), SealContext(request.LeaseId, installationId))
            ?? throw new InvalidOperationException(
                $"The saved GitHub token of lease {request.LeaseId} cannot be opened with the app private key of target '{request.Target.Name}' (was the key rotated?); "
                + $"it expires on its own at {expiresAt:O}, after which revocation succeeds.");
    }

    private static DateTimeOffset LatestPossibleExpiry(RevocationData data) =>
        (data.Get(PlannedAtKey) is { } planned ? Parse(planned) : DateTimeOffset.MinValue) + TokenLifetime + MintWindow;

    private static string SealContext(string leaseId, long installationId) =>
        string.Create(CultureInfo.InvariantCulture, $"{leaseId}|{installationId}");

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
