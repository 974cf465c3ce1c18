using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AgentAccessBroker.Connectors.Teams.Auth;

/// <summary>
/// Checks the <c>Authorization: Bearer</c> token the Bot Framework sends with every activity: RS256 signature by a key
/// from the Bot Framework's OpenID metadata, issuer, audience (our app id), lifetime (5 minutes skew, on the broker's
/// clock), the <c>serviceurl</c> claim equal to the activity's <c>serviceUrl</c>, and the key's endorsements naming
/// the activity's channel. Any failure is a refusal with a stable code; the token never reaches a log.
/// </summary>
internal sealed class BotFrameworkTokenValidator(
    SigningKeyCache keys,
    IOptions<TeamsConnectorOptions> options,
    TimeProvider time)
{
    private const string ServiceUrlClaim = "serviceurl";
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<TokenCheck> ValidateAsync(string? authorization, string? serviceUrl, string? channelId, CancellationToken cancellationToken)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.Ordinal) || authorization.Length > 16_384)
        {
            return TokenCheck.Refused("missing_token");
        }

        var raw = authorization["Bearer ".Length..].Trim();
        if (!_handler.CanReadToken(raw))
        {
            return TokenCheck.Refused("malformed_token");
        }

        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(raw);
        }
        catch (ArgumentException)
        {
            return TokenCheck.Refused("malformed_token");
        }

        if (!string.Equals(token.Alg, SecurityAlgorithms.RsaSha256, StringComparison.Ordinal))
        {
            return TokenCheck.Refused("wrong_algorithm");
        }

        if (string.IsNullOrEmpty(token.Kid))
        {
            return TokenCheck.Refused("no_key_id");
        }

        var key = await keys.FindAsync(token.Kid, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return TokenCheck.Refused("unknown_key");
        }

        var settings = options.Value;
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidateIssuer = true,
            ValidIssuers = [.. settings.ValidIssuers],
            ValidateAudience = true,
            ValidAudience = settings.AppId,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = settings.ClockSkew,
            LifetimeValidator = (notBefore, expires, _, p) => LifetimeHolds(notBefore, expires, p.ClockSkew),
        };

        var result = await _handler.ValidateTokenAsync(raw, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return TokenCheck.Refused(CodeOf(result.Exception));
        }

        if (!string.IsNullOrEmpty(channelId) && !Endorses(key, channelId))
        {
            return TokenCheck.Refused("channel_not_endorsed");
        }

        // A token minted for one Bot Connector must not authenticate an activity that names another: replies would go there.
        var claimed = token.TryGetPayloadValue<string>(ServiceUrlClaim, out var value) ? value : null;
        if (claimed is null || serviceUrl is null || !SameServiceUrl(claimed, serviceUrl))
        {
            return TokenCheck.Refused("service_url_mismatch");
        }

        return TokenCheck.Accepted;
    }

    internal static bool SameServiceUrl(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private bool LifetimeHolds(DateTime? notBefore, DateTime? expires, TimeSpan skew)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } e && now <= e.ToUniversalTime() + skew && (notBefore is not { } n || n.ToUniversalTime() - skew <= now);
    }

    private static bool Endorses(JsonWebKey key, string channelId)
    {
        if (!key.AdditionalData.TryGetValue("endorsements", out var value))
        {
            // Keys without endorsements make no channel claim (a test or sovereign-cloud set); the issuer and audience still hold.
            return true;
        }

        var names = value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()),
            IEnumerable<object> list => list.Select(o => o?.ToString()),
            _ => [],
        };
        return names.Any(n => string.Equals(n, channelId, StringComparison.OrdinalIgnoreCase));
    }

    private static string CodeOf(Exception? exception) => exception switch
    {
        SecurityTokenInvalidAudienceException => "wrong_audience",
        SecurityTokenInvalidIssuerException => "wrong_issuer",
        SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException or SecurityTokenNotYetValidException or SecurityTokenNoExpirationException => "expired",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "bad_signature",
        SecurityTokenInvalidAlgorithmException => "wrong_algorithm",
        _ => "invalid_token",
    };
}
