using System.Globalization;
using System.Text.RegularExpressions;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// A policy target of the <c>github</c> connector: one GitHub App installation (given by id, or by the account that
/// installed the app), the app that signs for it, the API it lives on and the permissions agents may be granted there.
/// </summary>
internal sealed partial record GitHubTarget(
    long AppId,
    long? InstallationId,
    string? Owner,
    Uri ApiUrl,
    string GitHost,
    SecretReference PrivateKey,
    GitHubPermissions AllowedPermissions)
{
    public const string AppIdKey = "app_id";
    public const string InstallationIdKey = "installation_id";
    public const string OwnerKey = "owner";
    public const string ApiUrlKey = "api_url";
    public const string GitHostKey = "git_host";
    public const string PrivateKeyKey = "private_key";
    public const string AllowedPermissionsKey = "allowed_permissions";

    /// <summary>github.com's REST API.</summary>
    public static readonly Uri PublicApi = new("https://api.github.com/");

    private static readonly HashSet<string> KnownKeys =
        [AppIdKey, InstallationIdKey, OwnerKey, ApiUrlKey, GitHostKey, PrivateKeyKey, AllowedPermissionsKey];

    public static GitHubTarget Parse(TargetSettings settings)
    {
        var problems = new List<TargetSettingProblem>();
        var target = Parse(settings, problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Target '{settings.Name}' has invalid github settings: " + string.Join(" ", problems.Select(p => $"{p.Key}: {p.Message}")));
        }

        return target!;
    }

    public static GitHubTarget? Parse(TargetSettings settings, List<TargetSettingProblem> problems)
    {
        foreach (var key in settings.Settings.Keys.Concat(settings.SecretReferences.Keys).Where(k => !KnownKeys.Contains(k)))
        {
            problems.Add(new(key, $"is not a github setting (known: {string.Join(", ", KnownKeys.Order(StringComparer.Ordinal))})."));
        }

        long appId = 0;
        if (settings.Get(AppIdKey) is not { } appText)
        {
            problems.Add(new(AppIdKey, "is required: the GitHub App's numeric id (App settings, About)."));
        }
        else if (!long.TryParse(appText, NumberStyles.None, CultureInfo.InvariantCulture, out appId) || appId <= 0)
        {
            problems.Add(new(AppIdKey, "must be a positive number."));
        }

        long? installationId = null;
        if (settings.Get(InstallationIdKey) is { } installationText)
        {
            if (long.TryParse(installationText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                installationId = id;
            }
            else
            {
                problems.Add(new(InstallationIdKey, "must be a positive number."));
            }
        }

        var owner = settings.Get(OwnerKey)?.Trim();
        if (owner is not null && !NamePattern().IsMatch(owner))
        {
            problems.Add(new(OwnerKey, "must be a GitHub account name (letters, digits, '-', '_' and '.')."));
        }

        if (installationId is null && string.IsNullOrEmpty(owner))
        {
            problems.Add(new(InstallationIdKey, $"is required unless '{OwnerKey}' names the account the app is installed on."));
        }

        var apiUrl = PublicApi;
        if (settings.Get(ApiUrlKey) is { } apiText)
        {
            if (Uri.TryCreate(apiText.EndsWith('/') ? apiText : apiText + "/", UriKind.Absolute, out var parsed)
                && (parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback))
                && string.IsNullOrEmpty(parsed.Query) && string.IsNullOrEmpty(parsed.UserInfo))
            {
                apiUrl = parsed;
            }
            else
            {
                problems.Add(new(ApiUrlKey, "must be an https URL such as https://ghe.example.com/api/v3 (http only on loopback)."));
            }
        }

        var gitHost = settings.Get(GitHostKey)?.Trim() ?? DefaultGitHost(apiUrl);
        if (!HostPattern().IsMatch(gitHost))
        {
            problems.Add(new(GitHostKey, "must be a host name (optionally with :port) such as github.com."));
        }

        if (settings.Settings.ContainsKey(PrivateKeyKey))
        {
            problems.Add(new(PrivateKeyKey, "must be a secret reference ({ env: NAME } or { file: PATH }), never an inline value."));
        }

        if (!settings.SecretReferences.TryGetValue(PrivateKeyKey, out var privateKey))
        {
            problems.Add(new(PrivateKeyKey, "is required: a reference to the GitHub App's PEM private key ({ file: /run/secrets/aab-github-app.pem })."));
        }

        var allowed = GitHubPermissions.Empty;
        if (settings.Get(AllowedPermissionsKey) is not { } allowedText || string.IsNullOrWhiteSpace(allowedText))
        {
            problems.Add(new(AllowedPermissionsKey, "is required: the permissions agents may be granted, such as contents:write,pull_requests:write,issues:read."));
        }
        else if (!GitHubPermissions.TryParse(allowedText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), out allowed, out var error))
        {
            problems.Add(new(AllowedPermissionsKey, error));
        }

        return problems.Count == 0 ? new GitHubTarget(appId, installationId, owner, apiUrl, gitHost, privateKey!, allowed) : null;
    }

    /// <summary>github.com's API is api.github.com while git is served from github.com; GHES serves both from one host.</summary>
    private static string DefaultGitHost(Uri apiUrl) =>
        apiUrl.Host.Equals("api.github.com", StringComparison.OrdinalIgnoreCase) ? "github.com"
        : apiUrl.IsDefaultPort ? apiUrl.Host
        : $"{apiUrl.Host}:{apiUrl.Port.ToString(CultureInfo.InvariantCulture)}";

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,99})$")]
    internal static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?$")]
    private static partial Regex HostPattern();
}
