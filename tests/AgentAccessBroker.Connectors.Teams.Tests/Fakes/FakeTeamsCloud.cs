using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Teams.Tests.Fakes;

/// <summary>
/// The Microsoft side of Teams, on 127.0.0.1 (free port), speaking the real wire formats:
/// the Bot Framework's OpenID metadata and JWKS (keys with <c>endorsements</c>, rotatable) and a signer for tokens sent
/// to the bot; the Entra token endpoint (client-credentials form, <c>invalid_client</c> on a wrong secret); the Bot
/// Connector (<c>POST/PUT /teams/v3/conversations/{id}/activities[/{activityId}]</c>, Bearer app token required,
/// Adaptive Card attachment required, 28 KB limit, <c>{"error":{"code":…}}</c> errors); and a Workflows trigger
/// (<c>/workflows/{id}/triggers/manual/paths/invoke?…&amp;sig=…</c>, 202 Accepted, 401 on a wrong signature).
/// Faults (429 with Retry-After, 5xx) can be scripted per route.
/// </summary>
internal sealed class FakeTeamsCloud : IAsyncDisposable
{
    public const string AppId = "7f3c2a10-5b4e-4c2d-9a8f-0e1d2c3b4a59";
    public const string TenantId = "0d6c9b7a-1e2f-4a3b-8c5d-6e7f8a9b0c1d";
    public const string AppPassword = "Fk8Q~appSecretValueNeverLogged.9x7w6v";
    public const string WorkflowsSig = "WfSigSecretValue_NeverLogged_3k2j1h";
    public const string Conversation = "19:approvers0123456789abcdef@thread.tacv2";
    public const int MaxMessageBytes = 28 * 1024;

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, string? RetryAfter)>> _faults = new();
    private readonly ConcurrentDictionary<string, JsonObject> _activities = new();
    private readonly List<(string Kid, RsaSecurityKey Key)> _keys = [];
    private readonly Lock _gate = new();
    private int _nextActivity;
    private int _tokensIssued;

    private FakeTeamsCloud(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Pulsed after every request the fake has answered.</summary>
    public Signal Changed { get; } = new();

    public Uri ServiceUrl => new(BaseUrl, "/teams/");

    public Uri OpenIdMetadataUrl => new(BaseUrl, "/v1/.well-known/openidconfiguration");

    public Uri WorkflowsUrl => new(BaseUrl, "/workflows/5e2a9c1f0b7d4e3a8c6f1a2b3c4d5e6f/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + WorkflowsSig);

    public int MetadataFetches;
    public int KeySetFetches;
    public int TokenRequests;

    /// <summary>Every request the fake received: method, path (without query), Authorization header, body.</summary>
    public ConcurrentQueue<(string Method, string Path, string? Authorization, string Body)> Calls { get; } = new();

    public ConcurrentQueue<JsonObject> WorkflowsMessages { get; } = new();

    public IReadOnlyDictionary<string, JsonObject> Activities => _activities;

    public string CurrentKid
    {
        get
        {
            lock (_gate)
            {
                return _keys[^1].Kid;
            }
        }
    }

    public static async Task<FakeTeamsCloud> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeTeamsCloud(app);
        fake.RotateKey();
        fake.Map(app);
        await app.StartAsync();
        var address = app.Urls.First();
        fake.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return fake;
    }

    /// <summary>Adds a new signing key (the newest signs from now on); the old ones stay published.</summary>
    public string RotateKey()
    {
        var kid = "kid-" + Guid.NewGuid().ToString("N")[..12];
        lock (_gate)
        {
            _keys.Add((kid, new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid }));
        }

        return kid;
    }

    public void Fail(string route, int status, string? retryAfter = null) =>
        _faults.GetOrAdd(route, _ => new()).Enqueue((status, retryAfter));

    /// <summary>A token as the Bot Framework sends it to the bot. Each part can be spoiled for the negative cases.</summary>
    public string BotToken(
        string? audience = AppId,
        string issuer = "https://api.botframework.com",
        string? serviceUrl = null,
        DateTimeOffset? expires = null,
        string? kid = null,
        RsaSecurityKey? signWith = null)
    {
        RsaSecurityKey key;
        lock (_gate)
        {
            key = signWith ?? (kid is null ? _keys[^1].Key : _keys.First(k => k.Kid == kid).Key);
        }

        var now = DateTimeOffset.UtcNow;
        var exp = expires ?? now.AddMinutes(60);
        var claims = new Dictionary<string, object>
        {
            ["serviceurl"] = (serviceUrl ?? ServiceUrl.ToString()),
            ["nbf"] = (exp < now ? exp.AddMinutes(-60) : now.AddMinutes(-1)).ToUnixTimeSeconds(),
        };
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = (exp < now ? exp.AddMinutes(-60) : now.AddMinutes(-1)).UtcDateTime,
            NotBefore = (exp < now ? exp.AddMinutes(-60) : now.AddMinutes(-1)).UtcDateTime,
            Expires = exp.UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(
                signWith is null ? key : new RsaSecurityKey(signWith.Rsa) { KeyId = kid ?? CurrentKid },
                SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Items["body"] = body;
            Calls.Enqueue((context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.Headers.Authorization.ToString(), body));
            var route = context.Request.Path.StartsWithSegments("/teams") ? "connector"
                : context.Request.Path.StartsWithSegments("/workflows") ? "workflows"
                : context.Request.Path.Value!.EndsWith("/token", StringComparison.Ordinal) ? "token"
                : "openid";
            if (_faults.TryGetValue(route, out var queue) && queue.TryDequeue(out var fault))
            {
                context.Response.StatusCode = fault.Status;
                if (fault.RetryAfter is not null)
                {
                    context.Response.Headers.RetryAfter = fault.RetryAfter;
                }

                await context.Response.WriteAsJsonAsync(new { error = new { code = "ServiceError", message = "scripted fault" } });
                return;
            }

            try
            {
                await next(context);
            }
            finally
            {
                Changed.Pulse();
            }
        });

        app.MapGet("/v1/.well-known/openidconfiguration", () =>
        {
            Interlocked.Increment(ref MetadataFetches);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = "https://api.botframework.com",
                ["authorization_endpoint"] = "https://invalid.botframework.com",
                ["jwks_uri"] = new Uri(BaseUrl, "/v1/.well-known/keys").ToString(),
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["token_endpoint_auth_methods_supported"] = new[] { "private_key_jwt" },
            });
        });

        app.MapGet("/v1/.well-known/keys", () =>
        {
            Interlocked.Increment(ref KeySetFetches);
            var keys = new JsonArray();
            lock (_gate)
            {
                foreach (var (kid, key) in _keys)
                {
                    var p = key.Rsa.ExportParameters(false);
                    keys.Add(new JsonObject
                    {
                        ["kty"] = "RSA",
                        ["use"] = "sig",
                        ["kid"] = kid,
                        ["n"] = Base64UrlEncoder.Encode(p.Modulus),
                        ["e"] = Base64UrlEncoder.Encode(p.Exponent),
                        ["endorsements"] = new JsonArray("msteams", "emulator", "webchat"),
                    });
                }
            }

            return Results.Text(new JsonObject { ["keys"] = keys }.ToJsonString(), "application/json");
        });

        app.MapPost("/{tenant}/oauth2/v2.0/token", async (string tenant, HttpRequest request) =>
        {
            Interlocked.Increment(ref TokenRequests);
            request.Body.Position = 0;
            var form = await request.ReadFormAsync();
            if (tenant != TenantId)
            {
                return Results.Json(new { error = "invalid_request", error_description = "AADSTS90002: Tenant not found." }, statusCode: 400);
            }

            if (form["grant_type"] != "client_credentials" || form["scope"] != "https://api.botframework.com/.default")
            {
                return Results.Json(new { error = "invalid_scope", error_description = "AADSTS70011: The provided value for scope is not valid." }, statusCode: 400);
            }

            if (form["client_id"] != AppId || form["client_secret"] != AppPassword)
            {
                // Entra's description can quote request details; the client must not pass it on.
                return Results.Json(new { error = "invalid_client", error_description = "AADSTS7000215: Invalid client secret provided for " + form["client_secret"] }, statusCode: 401);
            }

            var token = "eyFakeAppToken." + Interlocked.Increment(ref _tokensIssued).ToString(CultureInfo.InvariantCulture) + ".AppTokenValueNeverLogged";
            IssuedTokens.Enqueue(token);
            return Results.Json(new { token_type = "Bearer", expires_in = 3599, ext_expires_in = 3599, access_token = token });
        });

        app.MapPost("/teams/v3/conversations/{conversationId}/activities", (string conversationId, HttpRequest request) =>
        {
            if (CheckActivity(request, out var activity) is { } problem)
            {
                return problem;
            }

            var id = "1:" + Interlocked.Increment(ref _nextActivity).ToString(CultureInfo.InvariantCulture) + "Ab9";
            activity!["conversation"] = new JsonObject { ["id"] = conversationId };
            _activities[id] = activity;
            return Results.Json(new { id }, statusCode: 201);
        });

        app.MapPut("/teams/v3/conversations/{conversationId}/activities/{activityId}", (string conversationId, string activityId, HttpRequest request) =>
        {
            if (CheckActivity(request, out var activity) is { } problem)
            {
                return problem;
            }

            if (!_activities.TryGetValue(activityId, out var existing) || existing["conversation"]?["id"]?.GetValue<string>() != conversationId)
            {
                return Results.Json(new { error = new { code = "ActivityNotFoundInConversation", message = "not found" } }, statusCode: 404);
            }

            activity!["conversation"] = new JsonObject { ["id"] = conversationId };
            _activities[activityId] = activity;
            Updates.Enqueue((activityId, activity));
            return Results.Json(new { id = activityId });
        });

        app.MapPost("/workflows/{flow}/triggers/manual/paths/invoke", (HttpRequest request) =>
        {
            if (request.Query["sig"] != WorkflowsSig)
            {
                return Results.Json(new { error = new { code = "DirectApiAuthorizationRequired", message = "The request must be authenticated" } }, statusCode: 401);
            }

            var body = ReadBody(request);
            if (body is not JsonObject message || message["type"]?.GetValue<string>() != "message"
                || message["attachments"]?[0]?["contentType"]?.GetValue<string>() != "application/vnd.microsoft.card.adaptive"
                || Encoding.UTF8.GetByteCount(message.ToJsonString()) > MaxMessageBytes)
            {
                return Results.Json(new { error = new { code = "InvalidRequestContent", message = "bad card" } }, statusCode: 400);
            }

            WorkflowsMessages.Enqueue(message);
            return Results.StatusCode(202);
        });
    }

    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    public ConcurrentQueue<(string ActivityId, JsonObject Activity)> Updates { get; } = new();

    private IResult? CheckActivity(HttpRequest request, out JsonObject? activity)
    {
        activity = null;
        var auth = request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !IssuedTokens.Contains(auth["Bearer ".Length..]))
        {
            return Results.Json(new { message = "Authorization has been denied for this request." }, statusCode: 401);
        }

        if (ReadBody(request) is not JsonObject body)
        {
            return Results.Json(new { error = new { code = "BadArgument", message = "not an activity" } }, statusCode: 400);
        }

        if (Encoding.UTF8.GetByteCount(body.ToJsonString()) > MaxMessageBytes)
        {
            return Results.Json(new { error = new { code = "MessageSizeTooBig", message = "Message size too big" } }, statusCode: 413);
        }

        if (body["type"]?.GetValue<string>() != "message" || body["attachments"]?[0]?["contentType"]?.GetValue<string>() != "application/vnd.microsoft.card.adaptive")
        {
            return Results.Json(new { error = new { code = "BadArgument", message = "an Adaptive Card attachment is required" } }, statusCode: 400);
        }

        activity = body;
        return null;
    }

    private static JsonNode? ReadBody(HttpRequest request)
    {
        var text = request.HttpContext.Items["body"] as string ?? string.Empty;
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
