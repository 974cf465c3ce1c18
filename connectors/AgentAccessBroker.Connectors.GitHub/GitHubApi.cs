using System.Globalization;
using System.Net;
using System.Text.Json;
using AgentAccessBroker.Text;
using Octokit;
using Octokit.Internal;
using OctokitCredentials = Octokit.Credentials;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// The four GitHub REST calls the connector makes, through Octokit pointed at the target's API base address
/// (github.com, a GitHub Enterprise Server, or a test fake). Failures become <see cref="GitHubCallException"/>.
/// </summary>
internal sealed class GitHubApi : IDisposable
{
    private const string Accepts = "application/vnd.github+json";
    private static readonly ProductHeaderValue Product = new("AgentAccessBroker");
    private readonly HttpClientAdapter _http;

    public GitHubApi(TimeSpan requestTimeout)
    {
        _http = new HttpClientAdapter(HttpMessageHandlerFactory.CreateDefault);
        _http.SetRequestTimeout(requestTimeout);
    }

    /// <summary>The installation of the app on <paramref name="owner"/> (an organisation, else a user).</summary>
    public async Task<long> FindInstallationAsync(Uri apiUrl, string appJwt, string owner, CancellationToken cancellationToken)
    {
        var client = new GitHubClient(Connect(apiUrl, new OctokitCredentials(appJwt, AuthenticationType.Bearer)));
        try
        {
            return (await CallAsync("GET /orgs/{org}/installation", () => client.GitHubApps.GetOrganizationInstallationForCurrent(owner), cancellationToken)).Id;
        }
        catch (GitHubCallException e) when (e.Status == 404)
        {
            return (await CallAsync("GET /users/{username}/installation", () => client.GitHubApps.GetUserInstallationForCurrent(owner), cancellationToken)).Id;
        }
    }

    /// <summary><c>POST /app/installations/{id}/access_tokens</c> with exactly these repositories and permissions.</summary>
    public Task<AccessToken> CreateTokenAsync(Uri apiUrl, string appJwt, long installationId, GitHubRepositories repositories, GitHubPermissions permissions, CancellationToken cancellationToken)
    {
        var connection = Connect(apiUrl, new OctokitCredentials(appJwt, AuthenticationType.Bearer));
        // A JSON string goes out as it is; Octokit's own serializer would rename dictionary keys.
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["repositories"] = repositories.Names,
            ["permissions"] = permissions.ByName,
        });
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"app/installations/{installationId}/access_tokens"), UriKind.Relative);
        return CallAsync(
            "POST /app/installations/{installation_id}/access_tokens",
            async () => (await connection.Post<AccessToken>(uri, body, Accepts, "application/json", new Dictionary<string, string>(), cancellationToken)).Body,
            cancellationToken);
    }

    /// <summary><c>DELETE /installation/token</c> authenticated with the token itself. Returns GitHub's status (204, or 401 when already dead).</summary>
    public async Task<int> DeleteTokenAsync(Uri apiUrl, string token, CancellationToken cancellationToken)
    {
        var connection = Connect(apiUrl, new OctokitCredentials(token, AuthenticationType.Bearer));
        try
        {
            return (int)await CallAsync("DELETE /installation/token", () => connection.Delete(new Uri("installation/token", UriKind.Relative)), cancellationToken);
        }
        catch (GitHubCallException e) when (e.Status == 401)
        {
            return 401;
        }
    }

    /// <summary>
    /// Uses the token for <c>GET /installation/repositories</c>: true when GitHub accepts it, false when it answers 401.
    /// </summary>
    public async Task<bool> TokenWorksAsync(Uri apiUrl, string token, CancellationToken cancellationToken)
    {
        var client = new GitHubClient(Connect(apiUrl, new OctokitCredentials(token, AuthenticationType.Bearer)));
        try
        {
            await CallAsync(
                "GET /installation/repositories",
                () => client.GitHubApps.Installation.GetAllRepositoriesForCurrent(new ApiOptions { PageSize = 1, PageCount = 1 }),
                cancellationToken);
            return true;
        }
        catch (GitHubCallException e) when (e.Status == 401)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();

    private Connection Connect(Uri apiUrl, OctokitCredentials credentials) =>
        new(Product, apiUrl, new InMemoryCredentialStore(credentials), _http, new SimpleJsonSerializer());

    private static async Task<T> CallAsync<T>(string operation, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().WaitAsync(cancellationToken);
        }
        catch (RateLimitExceededException e)
        {
            throw new GitHubCallException(
                "github_rate_limited",
                (int)e.StatusCode,
                $"{operation}: GitHub's rate limit is exhausted ({e.Remaining}/{e.Limit} left) until {e.Reset:O}{RequestId(e)}; try again after that.",
                e);
        }
        catch (SecondaryRateLimitExceededException e)
        {
            throw new GitHubCallException("github_rate_limited", (int)e.StatusCode, $"{operation}: GitHub's secondary rate limit was hit{RequestId(e)}; try again in a minute.", e);
        }
        catch (ApiException e)
        {
            var status = (int)e.StatusCode;
            var code = e.StatusCode switch
            {
                HttpStatusCode.Unauthorized => "github_unauthorized",
                HttpStatusCode.Forbidden => "github_forbidden",
                HttpStatusCode.NotFound => "github_not_found",
                HttpStatusCode.UnprocessableEntity => "github_unprocessable",
                _ when status >= 500 => "github_unavailable",
                _ => "github_error",
            };
            throw new GitHubCallException(code, status, $"{operation}: GitHub answered {status}: {UntrustedText.Excerpt(e.ApiError?.Message ?? e.StatusCode.ToString(), 200)}{RequestId(e)}.", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GitHubCallException("github_timeout", null, $"{operation}: GitHub did not answer in time.", e);
        }
        catch (HttpRequestException e)
        {
            throw new GitHubCallException("github_unreachable", null, $"{operation}: GitHub could not be reached ({e.HttpRequestError}).", e);
        }
    }

    private static string RequestId(ApiException e) =>
        e.HttpResponse?.Headers is { } headers && headers.FirstOrDefault(h => h.Key.Equals("X-GitHub-Request-Id", StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } id
            ? $" (request id {UntrustedText.Excerpt(id, 64)})"
            : string.Empty;
}
