using AgentAccessBroker.Audit;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Security;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Brokering;

/// <summary>Registers agents and people and authenticates bearer tokens by their hash.</summary>
public sealed class PrincipalRegistry(IBrokerStore store, TimeProvider time)
{
    /// <summary>Registers a principal and returns its token, shown once.</summary>
    public async Task<(Principal Principal, string Token)> RegisterAsync(string actor, string id, PrincipalRole roles, string? owner, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@'))
        {
            throw BrokerError.Invalid("invalid_id", "An id is 1 to 64 characters: letters, digits, '-', '_', '.', '@'.");
        }

        if (roles.HasFlag(PrincipalRole.Agent) && string.IsNullOrWhiteSpace(owner))
        {
            throw BrokerError.Invalid("missing_owner", "An agent needs an owner: the person responsible for it.");
        }

        if (await store.GetPrincipalAsync(id, cancellationToken) is not null)
        {
            throw BrokerError.Conflict("principal_exists", $"'{id}' is already registered.");
        }

        var principal = new Principal(id, roles, owner, time.GetUtcNow());
        var token = TokenHasher.NewToken(roles.HasFlag(PrincipalRole.Agent) ? "aaba" : "aabu");
        await store.CreatePrincipalAsync(principal, TokenHasher.Hash(token), cancellationToken);
        await store.AppendAsync(AuditEntries.PrincipalRegistered(actor, principal), cancellationToken);
        return (principal, token);
    }

    public Task<Principal?> AuthenticateAsync(string token, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(token) ? Task.FromResult<Principal?>(null) : store.FindPrincipalByTokenHashAsync(TokenHasher.Hash(token), cancellationToken);
}
