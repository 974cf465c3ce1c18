using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>Turns broker identifiers into names AWS accepts, deterministically and without collisions.</summary>
internal static class SessionNaming
{
    private const string SessionPrefix = "aab-";
    private const int MaxNameLength = 64;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>
    /// The RoleSessionName for a lease: <c>aab-&lt;lease id&gt;</c> when the id fits AWS's rules as it is, otherwise a
    /// readable prefix plus a hash of the full id, so two different lease ids never share a session name (the session
    /// name is what the deny policy matches on).
    /// </summary>
    public static string RoleSessionName(string leaseId) => Name(SessionPrefix, leaseId);

    /// <summary>The SourceIdentity for an agent: 2-64 characters of <c>[\w+=,.@-]</c>, never starting with <c>aws:</c>.</summary>
    public static string SourceIdentity(string agentId) => Name(string.Empty, agentId);

    /// <summary>A session tag value: at most 256 characters of letters, digits, spaces and <c>_.:/=+-@</c>.</summary>
    public static string TagValue(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, 256));
        foreach (var c in value)
        {
            builder.Append(char.IsLetterOrDigit(c) || c == ' ' || "_.:/=+-@".Contains(c, StringComparison.Ordinal) ? c : '_');
        }

        return builder.Length <= 256 ? builder.ToString() : builder.ToString(0, 256);
    }

    public static bool IsValidSessionName(string name) =>
        name.Length is >= 2 and <= MaxNameLength && name.All(IsSessionNameChar);

    private static bool IsSessionNameChar(char c) => char.IsAsciiLetterOrDigit(c) || "_+=,.@-".Contains(c, StringComparison.Ordinal);

    private static string Name(string prefix, string id)
    {
        var candidate = prefix + id;
        if (IsValidSessionName(candidate))
        {
            return candidate;
        }

        var hash = Hash(id);
        var readable = new StringBuilder();
        foreach (var c in id)
        {
            readable.Append(IsSessionNameChar(c) ? c : '-');
        }

        var room = MaxNameLength - prefix.Length - hash.Length - 1;
        var kept = readable.Length <= room ? readable.ToString() : readable.ToString(0, room);
        return prefix + kept + "-" + hash;
    }

    private static string Hash(string value)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), digest);
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Base32[digest[i] & 31];
        }

        return new string(chars);
    }
}
