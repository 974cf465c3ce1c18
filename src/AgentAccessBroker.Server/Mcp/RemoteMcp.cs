using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using AgentAccessBroker.Client;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Mcp;
using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Server.Http;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace AgentAccessBroker.Server.Mcp;

/// <summary>
/// MCP over Streamable HTTP at <c>/mcp</c>, as an OAuth protected resource (MCP authorization, RFC 9728, RFC 8707):
/// protected resource metadata, 401 with <c>WWW-Authenticate: Bearer resource_metadata=…</c>, 403
/// <c>insufficient_scope</c>, and two kinds of bearer: an agent's broker token (with the task token in a header, as
/// <c>aab mcp</c> sends them) or a JWT from the configured authorization server whose audience is this resource.
/// </summary>
internal static partial class RemoteMcp
{
    public const string Path = "/mcp";
    public const string MetadataPath = "/.well-known/oauth-protected-resource";
    public const string TaskIdItem = "aab.mcp.task";
    private const string JwtScheme = "McpJwt";

    public static void Add(IServiceCollection services, BrokerServerOptions options)
    {
        if (!options.Mcp.Enabled)
        {
            return;
        }

        services.AddHttpContextAccessor();
        services.AddScoped<IAgentBroker, InProcessAgentBroker>();
        AgentMcpServer.AddAccessTools(services, new AccessToolOptions()).WithHttpTransport(o => o.Stateless = true);
        if (options.Mcp.Authority is not { Length: > 0 } authority)
        {
            return;
        }

        var resource = ResourceOf(options).AbsoluteUri;
        var audience = options.Mcp.Audience ?? resource;
        services.AddAuthentication().AddJwtBearer(JwtScheme, jwt =>
        {
            jwt.Authority = authority;
            jwt.RequireHttpsMetadata = !IsLoopbackHttp(authority);
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuers = [authority, authority.TrimEnd('/')],
                ValidateAudience = true,
                ValidAudiences = [audience, audience.TrimEnd('/')],
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
                ClockSkew = options.Mcp.ClockSkew,
            };
            jwt.Events = new JwtBearerEvents { OnTokenValidated = context => MapAgentAsync(context, options.Mcp) };
        });
    }

    /// <summary>Placed right after authentication, before rate limiting: callers of /mcp are known by then.</summary>
    public static void UseGate(WebApplication app, BrokerServerOptions options)
    {
        if (options.Mcp.Enabled)
        {
            app.UseWhen(c => c.Request.Path.StartsWithSegments(Path), branch => branch.Use((context, next) => GateAsync(context, next, options)));
        }
    }

    public static void Map(WebApplication app, BrokerServerOptions options)
    {
        if (!options.Mcp.Enabled)
        {
            return;
        }

        // RFC 9728: the metadata of resource https://host/mcp lives at /.well-known/oauth-protected-resource/mcp; the
        // bare well-known path answers too, for clients that look there first.
        app.MapGet(MetadataPath, (HttpContext http) => Metadata(http, options)).AllowAnonymous().WithName("McpResourceMetadata");
        app.MapGet(MetadataPath + Path, (HttpContext http) => Metadata(http, options)).AllowAnonymous().WithName("McpResourceMetadataForPath");
        app.MapMcp(Path).AllowAnonymous();
    }

    private static IResult Metadata(HttpContext http, BrokerServerOptions options)
    {
        var mcp = options.Mcp;
        return Results.Json(new Dictionary<string, object?>
        {
            ["resource"] = ResourceOf(options).AbsoluteUri,
            ["authorization_servers"] = mcp.Authority is { Length: > 0 } a ? new[] { a } : Array.Empty<string>(),
            ["scopes_supported"] = new[] { mcp.Scope },
            ["bearer_methods_supported"] = new[] { "header" },
            ["resource_name"] = "AgentAccessBroker",
            ["resource_documentation"] = "https://github.com/agent-access-broker/agent-access-broker/blob/main/docs/MCP.md",
        });
    }

    private static async Task GateAsync(HttpContext context, RequestDelegate next, BrokerServerOptions options)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            await ChallengeAsync(context, options, null, "No access token was sent: authenticate with the authorization server named in the resource metadata, or send the agent's broker token as bearer and the task token in X-AAB-Task-Token.");
            return;
        }

        var token = header["Bearer ".Length..].Trim();
        var jwt = options.Mcp.Authority is { Length: > 0 } && token.Count(c => c == '.') == 2;
        var result = await context.AuthenticateAsync(jwt ? JwtScheme : BearerTokenAuthenticationHandler.SchemeName);
        if (!result.Succeeded || result.Principal is null)
        {
            LogRefused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RemoteMcp).FullName!), jwt ? "jwt" : "broker token", result.Failure?.GetType().Name ?? "none");
            await ChallengeAsync(context, options, "invalid_token", jwt
                ? "The access token was refused: it must come from the configured authorization server, be issued for this resource (audience), be unexpired and name a registered, enabled agent."
                : "The broker does not know this token, or it is not an agent's token.");
            return;
        }

        context.User = result.Principal;
        if (jwt && !HasScope(result.Principal, options.Mcp.Scope))
        {
            context.Response.Headers.WWWAuthenticate =
                $"Bearer error=\"insufficient_scope\", scope=\"{options.Mcp.Scope}\", resource_metadata=\"{MetadataUri(options)}\"";
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "insufficient_scope", $"The access token lacks the scope '{options.Mcp.Scope}' the tools need: ask the authorization server for it.");
            return;
        }

        if (!result.Principal.IsInRole(nameof(PrincipalRole.Agent)))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "not_an_agent", "Only agents use the MCP tools; people use the CLI or the web console.");
            return;
        }

        await next(context);
    }

    private static Task ChallengeAsync(HttpContext context, BrokerServerOptions options, string? error, string detail)
    {
        var parameters = $"resource_metadata=\"{MetadataUri(options)}\", scope=\"{options.Mcp.Scope}\"";
        context.Response.Headers.WWWAuthenticate = error is null ? $"Bearer {parameters}" : $"Bearer error=\"{error}\", {parameters}";
        return Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, error ?? "unauthenticated", detail);
    }

    /// <summary>
    /// A JWT names an agent (its <see cref="RemoteMcpOptions.AgentClaim"/>) that must be a registered, enabled,
    /// unlocked agent of this broker; the token stands for that agent and nothing more.
    /// </summary>
    private static async Task MapAgentAsync(TokenValidatedContext context, RemoteMcpOptions options)
    {
        var claims = context.Principal;
        var id = claims?.FindFirst(options.AgentClaim)?.Value;
        var principal = id is { Length: > 0 } ? await context.HttpContext.RequestServices.GetRequiredService<IBrokerStore>().GetPrincipalAsync(id, context.HttpContext.RequestAborted) : null;
        if (principal is not { Status: PrincipalStatus.Enabled, Locked: false } || !principal.Has(PrincipalRole.Agent))
        {
            context.Fail($"The token's '{options.AgentClaim}' claim names no enabled agent.");
            return;
        }

        CallerPrincipal.Attach(context.HttpContext, principal);
        if (claims!.FindFirst(options.TaskClaim)?.Value is { Length: > 0 } task)
        {
            context.HttpContext.Items[TaskIdItem] = task;
        }

        // scope (RFC 9068, Okta, Auth0), scp (Entra delegated), roles (Entra app-only tokens carry app roles there).
        var scopes = claims.FindAll("scope").Concat(claims.FindAll("scp")).Concat(claims.FindAll("roles")).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(s => new Claim("scope", s));
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(CallerPrincipal.ClaimsFor(principal).Concat(scopes), JwtScheme));
    }

    private static bool HasScope(ClaimsPrincipal principal, string scope) => principal.FindAll("scope").Any(c => c.Value == scope);

    private static Uri ResourceOf(BrokerServerOptions options) =>
        options.Mcp.Resource ?? new Uri(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0].TrimEnd('/').Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal) + Path);

    private static string MetadataUri(BrokerServerOptions options)
    {
        var resource = ResourceOf(options);
        return resource.GetLeftPart(UriPartial.Authority) + MetadataPath + resource.AbsolutePath.TrimEnd('/');
    }

    private static bool IsLoopbackHttp(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback;

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "MCP: an access token ({Kind}) was refused ({Failure})")]
    private static partial void LogRefused(ILogger logger, string kind, string failure);
}
