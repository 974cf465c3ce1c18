using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams.Api;

/// <summary>
/// The bot's app token for the Bot Connector: Entra client-credentials grant
/// (<c>POST {authority}{tenant}/oauth2/v2.0/token</c>, <c>scope=https://api.botframework.com/.default</c>), cached until
/// five minutes before it expires. The secret is resolved per fetch; neither it nor the token is logged or put in an
/// exception.
/// </summary>
internal sealed class EntraAppTokenSource(
    IHttpClientFactory httpClients,
    RetryingSender sender,
    TeamsSecrets secrets,
    IOptions<TeamsConnectorOptions> options,
    TimeProvider time)
{
    public const string HttpClientName = "AgentAccessBroker.Teams.Entra";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Token, DateTimeOffset RenewAt)? _cached;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } c && time.GetUtcNow() < c.RenewAt)
        {
            return c.Token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && time.GetUtcNow() < again.RenewAt)
            {
                return again.Token;
            }

            var (token, lifetime) = await FetchAsync(cancellationToken).ConfigureAwait(false);
            var margin = lifetime > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(5) : lifetime / 2;
            _cached = (token, time.GetUtcNow() + lifetime - margin);
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the cached token (the Bot Connector refused it).</summary>
    public void Invalidate() => _cached = null;

    private async Task<(string Token, TimeSpan Lifetime)> FetchAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var endpoint = new Uri(settings.AuthorityHost, Uri.EscapeDataString(settings.TenantId ?? string.Empty) + "/oauth2/v2.0/token");
        var http = httpClients.CreateClient(HttpClientName);
        using var response = await sender.SendAsync(http, "token request", _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new FormUrlEncodedContent(
                [
                    new("client_id", settings.AppId ?? string.Empty),
                    new("client_secret", secrets.AppPassword()),
                    new("scope", settings.BotConnectorScope),
                    new("grant_type", "client_credentials"),
                ]),
            };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return Task.FromResult(request);
        }, cancellationToken).ConfigureAwait(false);

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            throw new TeamsApiException("token request", (int)response.StatusCode, "not_json");
        }

        if (!response.IsSuccessStatusCode)
        {
            // Only Entra's error code: its description can quote request fields.
            var error = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String
                ? Safe(e.GetString()!)
                : "error";
            throw new TeamsApiException("token request", (int)response.StatusCode, error);
        }

        if (json.ValueKind != JsonValueKind.Object
            || !json.TryGetProperty("access_token", out var accessToken) || accessToken.ValueKind != JsonValueKind.String
            || !json.TryGetProperty("expires_in", out var expiresIn) || !expiresIn.TryGetInt32(out var seconds) || seconds <= 0)
        {
            throw new TeamsApiException("token request", (int)response.StatusCode, "malformed_token_response");
        }

        return (accessToken.GetString()!, TimeSpan.FromSeconds(seconds));
    }

    private static string Safe(string code) =>
        code.Length <= 64 && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? code : "error";
}
