using System.Collections.Concurrent;
using AgentAccessBroker.Security;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>
/// One-time console sign-in links for a single machine: short-lived, single use, bound to one principal. Only the
/// SHA-256 of a link's token is kept, in this node's memory, so a link works on the node that made it and dies with it.
/// </summary>
public sealed class SignInLinks(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (string PrincipalId, DateTimeOffset ExpiresAt)> _byHash = new(StringComparer.Ordinal);

    /// <summary>Makes a link token for <paramref name="principalId"/>; the caller shows it once and forgets it.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Create(string principalId, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        foreach (var stale in _byHash.Where(e => e.Value.ExpiresAt <= now).Select(e => e.Key).ToList())
        {
            _byHash.TryRemove(stale, out _);
        }

        var token = TokenHasher.NewToken("aabl");
        var expiresAt = now + lifetime;
        _byHash[TokenHasher.Hash(token)] = (principalId, expiresAt);
        return (token, expiresAt);
    }

    /// <summary>The principal a still-valid token belongs to, without using it up (for the confirmation page).</summary>
    public string? Peek(string? token) =>
        token is { Length: > 0 } && _byHash.TryGetValue(TokenHasher.Hash(token), out var entry) && entry.ExpiresAt > time.GetUtcNow() ? entry.PrincipalId : null;

    /// <summary>Uses a token up: its principal the first time while it is valid, null ever after.</summary>
    public string? Redeem(string? token)
    {
        if (token is not { Length: > 0 } || !_byHash.TryRemove(TokenHasher.Hash(token), out var entry))
        {
            return null;
        }

        return entry.ExpiresAt > time.GetUtcNow() ? entry.PrincipalId : null;
    }
}
