namespace AgentAccessBroker.Server.WebConsole;

/// <summary>
/// How people sign in to the web console served under <c>/</c>. Without an OpenID Connect authority, the only way in is
/// a one-time link printed by <c>aab console</c> on the broker's machine.
/// </summary>
public sealed record ConsoleOptions
{
    /// <summary>Serve the console at all. The /v1 API is unaffected.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The OpenID provider's issuer URL (Entra ID: <c>https://login.microsoftonline.com/{tenant}/v2.0</c>); null turns single sign-on off.</summary>
    public Uri? OidcAuthority { get; init; }

    public string? OidcClientId { get; init; }

    /// <summary>A secret: resolved from <see cref="OidcClientSecretRef"/> by the host, never bound from configuration or a command line.</summary>
    public string? OidcClientSecret { get; init; }

    /// <summary>Where <see cref="OidcClientSecret"/> is read from when it is not given (configuration binds only this reference).</summary>
    public Credentials.SecretReference? OidcClientSecretRef { get; init; } = new(Credentials.SecretSource.Environment, "AAB_OIDC_CLIENT_SECRET");

    /// <summary>
    /// The ID token claim that names the person: <c>email</c> (matched to a policy approver's <c>identities.email</c> or to a
    /// principal id), <c>oid</c>, <c>sub</c> or <c>preferred_username</c> (matched to a principal id).
    /// </summary>
    public string OidcClaim { get; init; } = "email";

    /// <summary>Only for a local test provider on loopback: real providers are always reached over HTTPS.</summary>
    public bool OidcRequireHttpsMetadata { get; init; } = true;

    /// <summary>How long a one-time sign-in link from <c>aab console</c> stays usable.</summary>
    public TimeSpan LinkLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a console session lasts without activity.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    public bool OidcEnabled => OidcAuthority is not null && !string.IsNullOrEmpty(OidcClientId);

    public override string ToString() => $"ConsoleOptions {{ Enabled = {Enabled}, OidcAuthority = {OidcAuthority}, OidcClaim = {OidcClaim} }}";
}
