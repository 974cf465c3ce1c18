using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Security;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Registers agents and people and authenticates bearer tokens by their hash. The policy is the one source of truth
/// for who owns an agent: registration takes the owner from it, and refuses an owner that disagrees.
/// </summary>
public sealed class PrincipalRegistry(IBrokerStore store, IPolicySource policies, TimeProvider time)
{
    /// <summary>Registers a principal and returns its token, shown once.</summary>
    public Task<(Principal Principal, string Token)> RegisterAsync(string actor, string id, PrincipalRole roles, string? owner, CancellationToken cancellationToken) =>
        RegisterAsync(actor, id, roles, owner, null, cancellationToken);

    /// <summary>Registers a principal and returns its token, shown once, valid until <paramref name="tokenExpiresAt"/> (null: no expiry).</summary>
    public async Task<(Principal Principal, string Token)> RegisterAsync(
        string actor, string id, PrincipalRole roles, string? owner, DateTimeOffset? tokenExpiresAt, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@'))
        {
            throw BrokerError.Invalid("invalid_id", "An id is 1 to 64 characters: letters, digits, '-', '_', '.', '@'.");
        }

        var now = time.GetUtcNow();
        if (tokenExpiresAt is { } expiry && expiry <= now)
        {
            throw BrokerError.Invalid("invalid_expiry", "A token's expiry must be in the future.");
        }

        if (roles.HasFlag(PrincipalRole.Agent))
        {
            owner = OwnerFromPolicy(id, owner);
        }

        if (await store.GetPrincipalAsync(id, cancellationToken) is not null)
        {
            throw BrokerError.Conflict("principal_exists", $"'{id}' is already registered.");
        }

        var principal = new Principal(id, roles, owner, now) { TokenExpiresAt = tokenExpiresAt };
        var token = TokenHasher.NewToken(roles.HasFlag(PrincipalRole.Agent) ? "aaba" : "aabu");
        await store.CreatePrincipalAsync(principal, TokenHasher.Hash(token), AuditEntries.PrincipalRegistered(actor, principal), cancellationToken);
        return (principal, token);
    }

    /// <summary>
    /// The principal a token belongs to, or null: unknown tokens, tokens past their expiry, and principals that are
    /// disabled, removed or locked all authenticate as nobody.
    /// </summary>
    public async Task<Principal?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        var principal = await store.FindPrincipalByTokenHashAsync(TokenHasher.Hash(token), cancellationToken);
        return principal is { Status: PrincipalStatus.Enabled, Locked: false } && (principal.TokenExpiresAt is not { } expiry || expiry > time.GetUtcNow())
            ? principal
            : null;
    }

    /// <summary>
    /// An agent's owner as the policy declares it. An owner given at registration must agree; an agent the policy
    /// does not declare (yet) needs one, and can ask for nothing until the policy declares it.
    /// </summary>
    private string OwnerFromPolicy(string id, string? owner)
    {
        var declared = policies.Current.FindAgent(id);
        if (declared is null)
        {
            return string.IsNullOrWhiteSpace(owner)
                ? throw BrokerError.Invalid("missing_owner", $"Agent '{id}' is not declared in the policy, so name its owner: the person responsible for it.")
                : owner;
        }

        if (!string.IsNullOrWhiteSpace(owner) && !string.Equals(owner, declared.Owner, StringComparison.Ordinal))
        {
            throw BrokerError.Conflict("owner_mismatch",
                $"The policy says agent '{id}' is owned by '{declared.Owner}', not '{owner}'. The policy is the source of truth: fix it there, or leave --owner out.");
        }

        return declared.Owner;
    }
}
