using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.GitHub.Tests.Fakes;

/// <summary>
/// GitHub's REST API for GitHub Apps on 127.0.0.1 (a free port), in its real JSON shapes: installation lookup,
/// <c>POST /app/installations/{id}/access_tokens</c>, <c>DELETE /installation/token</c>,
/// <c>GET /installation/repositories</c> and the repository reads a token is used for. It checks what GitHub checks:
/// the app JWT's RS256 signature by the registered app key, its <c>iss</c>, <c>iat</c> (not in the future) and
/// <c>exp</c> (after now, at most 10 minutes ahead); requested repositories and permissions within the installation's;
/// a token reads only its own repositories with its own permissions. Faults can be queued per operation.
/// </summary>
internal sealed class FakeGitHub : IAsyncDisposable
{
    public const string CreateToken = "create_token";
    public const string DeleteToken = "delete_token";
    public const string ListRepositories = "list_repositories";
    public const string Lookup = "lookup";

    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly long _appId;
    private readonly RSA _appPublicKey;
    private readonly Dictionary<long, FakeInstallation> _installations = [];
    private readonly Dictionary<string, FakeToken> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<FakeGitHubFault>> _faults = new(StringComparer.Ordinal);
    private readonly List<TokenRequest> _tokenRequests = [];
    private readonly List<string> _jwts = [];
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;

    private FakeGitHub(TimeProvider clock, long appId, RSA appPublicKey)
    {
        _clock = clock;
        _appId = appId;
        _appPublicKey = appPublicKey;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>The expiry of issued tokens; tests may shorten it to model a GitHub clock behind the broker's.</summary>
    public TimeSpan IssuedTokenLifetime { get; set; } = TokenLifetime;

    public IReadOnlyList<TokenRequest> TokenRequests
    {
        get
        {
            lock (_gate)
            {
                return [.. _tokenRequests];
            }
        }
    }

    /// <summary>Every secret the fake saw or issued (app JWTs, tokens), for leak checks.</summary>
    public IReadOnlyList<string> AllSecrets
    {
        get
        {
            lock (_gate)
            {
                return [.. _jwts, .. _tokens.Keys];
            }
        }
    }

    public static async Task<FakeGitHub> StartAsync(TimeProvider clock, long appId, RSA appPublicKey)
    {
        var fake = new FakeGitHub(clock, appId, appPublicKey);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Url = new Uri(address.TrimEnd('/') + "/");
        fake._app = app;
        return fake;
    }

    public FakeInstallation AddInstallation(long id, string account, bool isOrganization, IReadOnlyList<string> repositories, IReadOnlyDictionary<string, string> permissions)
    {
        var installation = new FakeInstallation(id, account, isOrganization, repositories, permissions);
        lock (_gate)
        {
            _installations[id] = installation;
        }

        return installation;
    }

    public void QueueFault(string operation, FakeGitHubFault fault)
    {
        lock (_gate)
        {
            if (!_faults.TryGetValue(operation, out var queue))
            {
                _faults[operation] = queue = new Queue<FakeGitHubFault>();
            }

            queue.Enqueue(fault);
        }
    }

    /// <summary>True when <paramref name="token"/> is live and may read <paramref name="repository"/>'s contents.</summary>
    public bool TokenIsLive(string token)
    {
        lock (_gate)
        {
            return _tokens.TryGetValue(token, out var t) && !t.Revoked && _clock.GetUtcNow() < t.ExpiresAt;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        var segments = path.Trim('/').Split('/');
        context.Response.Headers["X-GitHub-Request-Id"] = "FAKE:" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        if (!context.Request.Headers.UserAgent.Any(u => !string.IsNullOrEmpty(u)))
        {
            // GitHub refuses API requests without a User-Agent.
            await ErrorAsync(context, 403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.");
            return;
        }

        switch (method, segments)
        {
            case ("GET", ["orgs", var org, "installation"]):
                if (await FaultAsync(context, Lookup)) return;
                await LookupAsync(context, org, organization: true);
                return;
            case ("GET", ["users", var user, "installation"]):
                if (await FaultAsync(context, Lookup)) return;
                await LookupAsync(context, user, organization: false);
                return;
            case ("POST", ["app", "installations", var id, "access_tokens"]):
                if (await FaultAsync(context, CreateToken)) return;
                await CreateTokenAsync(context, id);
                return;
            case ("DELETE", ["installation", "token"]):
                if (await FaultAsync(context, DeleteToken)) return;
                if (Authenticate(context) is not { } toRevoke)
                {
                    await ErrorAsync(context, 401, "Bad credentials");
                    return;
                }

                lock (_gate)
                {
                    toRevoke.Revoked = true;
                }

                context.Response.StatusCode = 204;
                return;
            case ("GET", ["installation", "repositories"]):
                if (await FaultAsync(context, ListRepositories)) return;
                if (Authenticate(context) is not { } lister)
                {
                    await ErrorAsync(context, 401, "Bad credentials");
                    return;
                }

                await JsonAsync(context, 200, new JsonObject
                {
                    ["total_count"] = lister.Repositories.Count,
                    ["repository_selection"] = "selected",
                    ["repositories"] = new JsonArray([.. lister.Repositories.Select(r => (JsonNode)Repository(lister.Account, r))]),
                });
                return;
            case ("GET", ["repos", var owner, var repo, .. var rest]):
                await RepositoryReadAsync(context, owner, repo, rest);
                return;
            default:
                await ErrorAsync(context, 404, "Not Found");
                return;
        }
    }

    private async Task LookupAsync(HttpContext context, string account, bool organization)
    {
        if (await AuthenticateAppAsync(context) is null)
        {
            return;
        }

        FakeInstallation? installation;
        lock (_gate)
        {
            installation = _installations.Values.FirstOrDefault(i => i.IsOrganization == organization && i.Account.Equals(account, StringComparison.OrdinalIgnoreCase));
        }

        if (installation is null)
        {
            await ErrorAsync(context, 404, "Not Found");
            return;
        }

        await JsonAsync(context, 200, Installation(installation));
    }

    private async Task CreateTokenAsync(HttpContext context, string idText)
    {
        if (await AuthenticateAppAsync(context) is not { } claims)
        {
            return;
        }

        FakeInstallation? installation;
        lock (_gate)
        {
            installation = long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? _installations.GetValueOrDefault(id) : null;
        }

        if (installation is null)
        {
            await ErrorAsync(context, 404, "Not Found");
            return;
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            await ErrorAsync(context, 400, "Problems parsing JSON");
            return;
        }

        var repositories = body?["repositories"] is JsonArray repos ? repos.Select(r => r!.GetValue<string>()).ToList() : null;
        var permissions = body?["permissions"] is JsonObject perms ? perms.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal) : null;
        lock (_gate)
        {
            _tokenRequests.Add(new TokenRequest(installation.Id, repositories, permissions, claims.Iat, claims.Exp, claims.Issuer));
        }

        if (repositories is not null && repositories.Any(r => !installation.Repositories.Contains(r, StringComparer.OrdinalIgnoreCase)))
        {
            await ErrorAsync(context, 422, "There is at least one repository that does not exist or is not accessible to the parent installation.");
            return;
        }

        if (permissions is not null && permissions.Any(p => !installation.Permissions.TryGetValue(p.Key, out var level) || Rank(p.Value) < 0 || Rank(p.Value) > Rank(level)))
        {
            await ErrorAsync(context, 422, "The permissions requested are not granted to this installation.");
            return;
        }

        var value = "ghs_" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 36);
        var granted = new Dictionary<string, string>(permissions ?? installation.Permissions, StringComparer.Ordinal) { ["metadata"] = "read" };
        var token = new FakeToken(value, installation.Id, installation.Account, repositories ?? installation.Repositories, granted, _clock.GetUtcNow() + IssuedTokenLifetime);
        lock (_gate)
        {
            _tokens[value] = token;
        }

        await JsonAsync(context, 201, new JsonObject
        {
            ["token"] = value,
            ["expires_at"] = token.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["permissions"] = new JsonObject([.. granted.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
            ["repository_selection"] = repositories is null ? "all" : "selected",
            ["repositories"] = new JsonArray([.. token.Repositories.Select(r => (JsonNode)Repository(installation.Account, r))]),
        });
    }

    private async Task RepositoryReadAsync(HttpContext context, string owner, string repo, string[] rest)
    {
        if (Authenticate(context) is not { } token)
        {
            await ErrorAsync(context, 401, "Bad credentials");
            return;
        }

        // GitHub answers 404, not 403, for a repository the token cannot see.
        if (!token.Account.Equals(owner, StringComparison.OrdinalIgnoreCase) || !token.Repositories.Contains(repo, StringComparer.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 404, "Not Found");
            return;
        }

        if (rest.Length == 0)
        {
            await JsonAsync(context, 200, Repository(owner, repo));
            return;
        }

        if (rest[0] == "contents" && !token.Permissions.ContainsKey("contents"))
        {
            await ErrorAsync(context, 403, "Resource not accessible by integration");
            return;
        }

        await JsonAsync(context, 200, new JsonObject { ["type"] = "file", ["name"] = rest[^1], ["path"] = string.Join('/', rest.Skip(1)), ["content"] = "" });
    }

    private FakeToken? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        var value = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : header.StartsWith("token ", StringComparison.Ordinal) ? header[6..] : null;
        lock (_gate)
        {
            return value is not null && _tokens.TryGetValue(value, out var token) && !token.Revoked && _clock.GetUtcNow() < token.ExpiresAt ? token : null;
        }
    }

    private async Task<(long Iat, long Exp, string Issuer)?> AuthenticateAppAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 401, "A JSON web token could not be decoded");
            return null;
        }

        var jwt = header[7..];
        lock (_gate)
        {
            _jwts.Add(jwt);
        }

        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            await ErrorAsync(context, 401, "A JSON web token could not be decoded");
            return null;
        }

        JsonObject jwtHeader, payload;
        try
        {
            jwtHeader = (JsonObject)JsonNode.Parse(FromBase64Url(parts[0]))!;
            payload = (JsonObject)JsonNode.Parse(FromBase64Url(parts[1]))!;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidCastException)
        {
            await ErrorAsync(context, 401, "A JSON web token could not be decoded");
            return null;
        }

        if (jwtHeader["alg"]?.GetValue<string>() != "RS256"
            || !_appPublicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            await ErrorAsync(context, 401, "A JSON web token could not be decoded");
            return null;
        }

        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var iat = payload["iat"]?.GetValue<long>() ?? long.MaxValue;
        var exp = payload["exp"]?.GetValue<long>() ?? 0;
        var iss = payload["iss"]?.ToString() ?? string.Empty;
        if (iat > now)
        {
            await ErrorAsync(context, 401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.");
            return null;
        }

        if (exp <= now)
        {
            await ErrorAsync(context, 401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.");
            return null;
        }

        if (exp - now > 600 || exp - iat > 660)
        {
            await ErrorAsync(context, 401, "'Expiration time' claim ('exp') is too far in the future.");
            return null;
        }

        if (iss != _appId.ToString(CultureInfo.InvariantCulture))
        {
            await ErrorAsync(context, 401, "'Issuer' claim ('iss') must be an Integer");
            return null;
        }

        return (iat, exp, iss);
    }

    private async Task<bool> FaultAsync(HttpContext context, string operation)
    {
        FakeGitHubFault? fault;
        lock (_gate)
        {
            fault = _faults.TryGetValue(operation, out var queue) && queue.Count > 0 ? queue.Dequeue() : null;
        }

        switch (fault)
        {
            case null:
                return false;
            case FakeGitHubFault.RateLimited limited:
                context.Response.Headers["x-ratelimit-limit"] = "5000";
                context.Response.Headers["x-ratelimit-remaining"] = "0";
                context.Response.Headers["x-ratelimit-used"] = "5000";
                context.Response.Headers["x-ratelimit-reset"] = limited.Reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["x-ratelimit-resource"] = "core";
                await ErrorAsync(context, 403, "API rate limit exceeded for installation ID 1.");
                return true;
            case FakeGitHubFault.ServerError error:
                await ErrorAsync(context, error.Status, "Server Error");
                return true;
            default:
                using (var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, both.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                return true;
        }
    }

    private static JsonObject Installation(FakeInstallation installation) => new()
    {
        ["id"] = installation.Id,
        ["account"] = new JsonObject { ["login"] = installation.Account, ["id"] = 1000 + installation.Id, ["type"] = installation.IsOrganization ? "Organization" : "User" },
        ["repository_selection"] = "selected",
        ["access_tokens_url"] = $"https://api.github.com/app/installations/{installation.Id}/access_tokens",
        ["repositories_url"] = "https://api.github.com/installation/repositories",
        ["html_url"] = $"https://github.com/settings/installations/{installation.Id}",
        ["app_id"] = 1,
        ["target_id"] = 1000 + installation.Id,
        ["target_type"] = installation.IsOrganization ? "Organization" : "User",
        ["permissions"] = new JsonObject([.. installation.Permissions.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
        ["events"] = new JsonArray(),
        ["created_at"] = "2026-01-01T00:00:00Z",
        ["updated_at"] = "2026-01-01T00:00:00Z",
        ["single_file_name"] = null,
    };

    private static JsonObject Repository(string owner, string name) => new()
    {
        ["id"] = Math.Abs(StringComparer.OrdinalIgnoreCase.GetHashCode(owner + "/" + name)),
        ["name"] = name,
        ["full_name"] = owner + "/" + name,
        ["private"] = true,
        ["owner"] = new JsonObject { ["login"] = owner, ["id"] = 1, ["type"] = "Organization" },
        ["html_url"] = $"https://github.com/{owner}/{name}",
        ["default_branch"] = "main",
    };

    private static int Rank(string level) => level switch { "read" => 0, "write" => 1, "admin" => 2, _ => -1 };

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }

    private static Task ErrorAsync(HttpContext context, int status, string message) =>
        JsonAsync(context, status, new JsonObject { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest", ["status"] = status.ToString(CultureInfo.InvariantCulture) });

    private static async Task JsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }
}
