using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using AgentAccessBroker.Client;
using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using AgentAccessBroker.WebConsole.Tests;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>
/// A real broker serving /mcp that trusts a real OAuth authorization server (npm oidc-provider) issuing JWT access
/// tokens for the broker's resource indicator; agents agent-a and agent-b are registered, each with a task.
/// </summary>
internal sealed class RemoteBroker : IAsyncDisposable
{
    private readonly OidcProvider _provider;
    private readonly RSA _key;

    private RemoteBroker(BrokerHost host, OidcProvider provider, RSA key, string jwks, Uri resource)
    {
        Host = host;
        _provider = provider;
        _key = key;
        JwksPath = jwks;
        Resource = resource;
    }

    public BrokerHost Host { get; }

    public Uri Resource { get; }

    public string Issuer => _provider.Issuer.AbsoluteUri.TrimEnd('/');

    public string JwksPath { get; }

    public Dictionary<string, (string Token, StartedTask Task)> Agents { get; } = new(StringComparer.Ordinal);

    public static async Task<RemoteBroker> StartAsync(PostgresFixture postgres)
    {
        var brokerPort = OidcProvider.FreePort();
        var resource = new Uri($"http://127.0.0.1:{brokerPort}/mcp");
        var key = RSA.Create(2048);
        var jwks = Path.Combine(Directory.CreateTempSubdirectory("aab-mcp-jwks-").FullName, "jwks.json");
        await File.WriteAllTextAsync(jwks, JsonSerializer.Serialize(new { keys = new[] { PrivateJwk(key) } }));
        var provider = await OidcProvider.StartAsync(OidcProvider.FreePort(), new Uri($"http://127.0.0.1:{brokerPort}/signin-oidc"), resource.AbsoluteUri, jwks);
        var host = await BrokerHost.StartAsync(postgres, configure: o => o with
        {
            Urls = $"http://127.0.0.1:{brokerPort}",
            Mcp = new RemoteMcpOptions { Authority = provider.Issuer.AbsoluteUri.TrimEnd('/'), Resource = resource },
        });
        var broker = new RemoteBroker(host, provider, key, jwks, resource);
        foreach (var agent in new[] { "agent-a", "agent-b" })
        {
            broker.Agents[agent] = (await host.AgentAsync(agent), await host.StartTaskAsync(agent));
        }

        return broker;
    }

    /// <summary>An access token from the authorization server by the client credentials grant, as the agent's client would get one.</summary>
    public async Task<string> TokenAsync(string agent, string? resource = null, string? scope = "aab.access", string? task = null)
    {
        using var http = new HttpClient();
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = agent,
            ["client_secret"] = "agent-secret",
            ["resource"] = resource ?? Resource.AbsoluteUri,
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        if (task is not null)
        {
            form["aab_task"] = task;
        }

        using var response = await http.PostAsync(new Uri(_provider.Issuer, "token"), new FormUrlEncodedContent(form));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>A token signed with the provider's own key (so only its claims can be wrong), or with a key nobody trusts.</summary>
    public string SignedToken(string issuer, string audience, string subject, DateTimeOffset expires, bool withProviderKey = true)
    {
        using var stranger = RSA.Create(2048);
        var key = new RsaSecurityKey(withProviderKey ? _key : stranger) { KeyId = withProviderKey ? "test-key" : "stranger" };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["scope"] = "aab.access" },
            IssuedAt = expires.UtcDateTime.AddMinutes(-10),
            NotBefore = expires.UtcDateTime.AddMinutes(-10),
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
            TokenType = "at+jwt",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _provider.DisposeAsync();
        _key.Dispose();
    }

    private static Dictionary<string, string> PrivateJwk(RSA key)
    {
        var p = key.ExportParameters(includePrivateParameters: true);
        return new Dictionary<string, string>
        {
            ["kty"] = "RSA",
            ["kid"] = "test-key",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            ["d"] = Base64UrlEncoder.Encode(p.D),
            ["p"] = Base64UrlEncoder.Encode(p.P),
            ["q"] = Base64UrlEncoder.Encode(p.Q),
            ["dp"] = Base64UrlEncoder.Encode(p.DP),
            ["dq"] = Base64UrlEncoder.Encode(p.DQ),
            ["qi"] = Base64UrlEncoder.Encode(p.InverseQ),
        };
    }
}
