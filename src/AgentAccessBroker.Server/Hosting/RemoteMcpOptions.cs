namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// MCP over Streamable HTTP at <c>/mcp</c>. The broker is an OAuth protected resource: it always accepts an agent's
/// broker token as bearer with the task token in <c>X-AAB-Task-Token</c> (as <c>aab mcp</c> sends them), and, when
/// <see cref="Authority"/> is set, JWT access tokens from that authorization server issued for <see cref="Resource"/>.
/// </summary>
public sealed record RemoteMcpOptions
{
    /// <summary>Serve <c>/mcp</c> and its protected resource metadata.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The broker's resource identifier (RFC 8707): the audience every JWT must carry and the <c>resource</c> of the
    /// metadata. Null: the first listen URL with <c>/mcp</c>; set it to the public URL behind a TLS proxy.
    /// </summary>
    public Uri? Resource { get; init; }

    /// <summary>The authorization server's issuer (OIDC discovery and JWKS under it). Null: broker tokens only.</summary>
    public string? Authority { get; init; }

    /// <summary>The audience a JWT must carry, when the authorization server cannot use <see cref="Resource"/> (Entra: <c>api://…</c>). Null: the resource.</summary>
    public string? Audience { get; init; }

    /// <summary>The JWT claim that names the broker agent (a registered agent's id): <c>sub</c>, <c>client_id</c>, <c>azp</c>, <c>appid</c>, ...</summary>
    public string AgentClaim { get; init; } = "sub";

    /// <summary>The JWT claim that names the task id; without it the task token in <c>X-AAB-Task-Token</c> names it.</summary>
    public string TaskClaim { get; init; } = "aab_task";

    /// <summary>The scope a JWT must carry to use the tools; a token without it gets 403 <c>insufficient_scope</c>.</summary>
    public string Scope { get; init; } = "aab.access";

    /// <summary>Tolerated clock difference when checking a JWT's expiry.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);
}
