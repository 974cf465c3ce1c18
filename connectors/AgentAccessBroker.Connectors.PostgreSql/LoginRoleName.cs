using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>Derives the login role's name from the lease id: <c>aab_</c> prefix, only <c>[a-z0-9_]</c>, at most 63 bytes.</summary>
internal static class LoginRoleName
{
    public const string Prefix = "aab_";

    /// <summary>PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated, so two leases could collide.</summary>
    public const int MaxBytes = 63;

    // Lease ids that do not fit the literal form are hashed under this marker, which no literal form can start with,
    // so the mapping from lease id to role name stays one-to-one.
    private const string HashedMarker = "x_";

    public static string For(string leaseId)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        if (leaseId.Length <= MaxBytes - Prefix.Length && IsPlain(leaseId) && !leaseId.StartsWith(HashedMarker, StringComparison.Ordinal))
        {
            return Prefix + leaseId;
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(leaseId));
        return Prefix + HashedMarker + Convert.ToHexStringLower(hash.AsSpan(0, 20));
    }

    /// <summary>True for names this connector could have minted; revoke refuses to touch anything else.</summary>
    public static bool IsLoginRoleName(string name) =>
        name.Length is > 4 and <= MaxBytes && name.StartsWith(Prefix, StringComparison.Ordinal) && IsPlain(name);

    private static bool IsPlain(string value)
    {
        foreach (var c in value)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
