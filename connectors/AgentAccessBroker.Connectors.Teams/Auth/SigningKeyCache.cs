using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace AgentAccessBroker.Connectors.Teams.Auth;

/// <summary>
/// The Bot Framework's token signing keys, read from the OpenID metadata document's <c>jwks_uri</c>. Cached for
/// <see cref="TeamsConnectorOptions.SigningKeyRefreshInterval"/>; a token naming a key id the cache does not hold
/// refreshes it early (Microsoft rolls keys without notice), at most once per
/// <see cref="TeamsConnectorOptions.SigningKeyMinimumRefreshInterval"/> so forged key ids cannot hammer the endpoint.
/// </summary>
internal sealed class SigningKeyCache(
    IHttpClientFactory httpClients,
    IOptions<TeamsConnectorOptions> options,
    TimeProvider time,
    ILogger<SigningKeyCache> logger)
{
    public const string HttpClientName = "AgentAccessBroker.Teams.OpenId";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<JsonWebKey> _keys = [];
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _unknownKidRefreshAt = DateTimeOffset.MinValue;

    /// <summary>How many times the keys were fetched (for tests and diagnostics).</summary>
    public int Fetches { get; private set; }

    /// <summary>The key with <paramref name="kid"/>, refreshing the cache when it is stale or does not know the id. Null when still unknown.</summary>
    public async Task<JsonWebKey?> FindAsync(string kid, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keys = _keys;
        var stale = now - _fetchedAt >= options.Value.SigningKeyRefreshInterval;
        var known = Find(keys, kid);
        if (known is not null && !stale)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            known = Find(_keys, kid);
            stale = now - _fetchedAt >= options.Value.SigningKeyRefreshInterval;
            var mayRefresh = stale || now - _unknownKidRefreshAt >= options.Value.SigningKeyMinimumRefreshInterval;
            if ((known is null || stale) && mayRefresh)
            {
                if (!stale)
                {
                    _unknownKidRefreshAt = now;
                }

                try
                {
                    _keys = await FetchAsync(cancellationToken).ConfigureAwait(false);
                    _fetchedAt = now;
                    Fetches++;
                    TeamsLog.SigningKeysRefreshed(logger, _keys.Count, known is null ? "unknown key id" : "cache expired");
                }
                catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // Keep the keys we had: a metadata outage must not lock out tokens signed by keys we already trust.
                    TeamsLog.SigningKeysFailed(logger, ex.GetType().Name);
                }

                known = Find(_keys, kid);
            }

            return known;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static JsonWebKey? Find(IReadOnlyList<JsonWebKey> keys, string kid) =>
        keys.FirstOrDefault(k => string.Equals(k.Kid, kid, StringComparison.Ordinal));

    private async Task<IReadOnlyList<JsonWebKey>> FetchAsync(CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(HttpClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RequestTimeout);
        var metadata = await http.GetFromJsonAsync<JsonElement>(options.Value.OpenIdMetadataUrl, timeout.Token).ConfigureAwait(false);
        if (metadata.ValueKind != JsonValueKind.Object
            || !metadata.TryGetProperty("jwks_uri", out var jwksUri)
            || jwksUri.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(jwksUri.GetString(), UriKind.Absolute, out var jwks))
        {
            throw new InvalidOperationException("The OpenID metadata document has no jwks_uri.");
        }

        var body = await http.GetStringAsync(jwks, timeout.Token).ConfigureAwait(false);
        var set = new JsonWebKeySet(body);
        return [.. set.Keys.Where(k => !string.IsNullOrEmpty(k.Kid) && k.Kty == JsonWebAlgorithmsKeyTypes.RSA)];
    }
}
