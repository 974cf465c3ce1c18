using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>Entra ID's v2.0 token endpoint for the client-credentials grant (secret, certificate, federated token).</summary>
internal sealed partial class FakeAzureCloud
{
    private const string JwtBearerAssertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private FakeResponse IssueToken(string path, string body)
    {
        var tenant = path.Trim('/').Split('/')[0];
        if (!string.Equals(tenant, TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return FakeResponse.OAuthError(400, "invalid_request", 90002, $"Tenant '{tenant}' not found.");
        }

        var form = QueryHelpers.ParseQuery(body);
        if (form.GetValueOrDefault("grant_type").ToString() != "client_credentials")
        {
            return FakeResponse.OAuthError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
        }

        var clientId = form.GetValueOrDefault("client_id").ToString();
        FakePrincipal? principal;
        lock (_gate)
        {
            principal = _principals.GetValueOrDefault(clientId);
        }

        if (principal is null)
        {
            return FakeResponse.OAuthError(400, "unauthorized_client", 700016, $"Application with identifier '{clientId}' was not found in the directory.");
        }

        var scope = form.GetValueOrDefault("scope").ToString();
        if (!scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            return FakeResponse.OAuthError(400, "invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default.");
        }

        if (!Authenticates(principal, form, path))
        {
            return FakeResponse.OAuthError(401, "invalid_client", 7000215, "Invalid client secret provided.");
        }

        var token = "fake-at-" + RandomText(40);
        _tokens[token] = new IssuedToken(principal.ObjectId, scope[..^"/.default".Length], Now().AddSeconds(3599));
        return new FakeResponse(200, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["access_token"] = token,
        });
    }

    private bool Authenticates(FakePrincipal principal, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form, string path)
    {
        if (form.TryGetValue("client_secret", out var secret))
        {
            lock (_gate)
            {
                var now = Now();
                return secret == principal.StandingSecret
                    || principal.Passwords.Any(p => p.SecretText == secret && p.StartDateTime <= now && now < p.EndDateTime);
            }
        }

        if (form.GetValueOrDefault("client_assertion_type") != JwtBearerAssertion || !form.TryGetValue("client_assertion", out var assertion))
        {
            return false;
        }

        if (principal.FederatedToken is { } federated && assertion == federated)
        {
            return true;
        }

        return principal.Certificate is { } certificate && VerifyClientAssertion(assertion.ToString(), certificate, principal.AppId, path);
    }

    /// <summary>Checks a certificate client assertion the way Entra ID does: signature, issuer, subject, audience, expiry.</summary>
    private bool VerifyClientAssertion(string jwt, X509Certificate2 certificate, string clientId, string path)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var padding = header.RootElement.GetProperty("alg").GetString() switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        using var key = certificate.GetRSAPublicKey();
        if (padding is null || key is null
            || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, padding))
        {
            return false;
        }

        var claims = payload.RootElement;
        var audience = claims.GetProperty("aud").GetString() ?? string.Empty;
        return claims.GetProperty("iss").GetString() == clientId
            && claims.GetProperty("sub").GetString() == clientId
            && audience.EndsWith(path, StringComparison.OrdinalIgnoreCase)
            && DateTimeOffset.FromUnixTimeSeconds(Seconds(claims.GetProperty("exp"))) > Now();
    }

    /// <summary>MSAL writes <c>exp</c> as a JSON string; Entra ID accepts a string or a number.</summary>
    private static long Seconds(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? long.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : value.GetInt64();
}
