using System.Security.Cryptography;

namespace AgentAccessBroker.Domain;

/// <summary>Identifiers: a short prefix and 16 random lowercase base-32 characters (80 bits), safe in role and session names.</summary>
public static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string New(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[bytes[i] & 31];
        }

        return prefix + "_" + new string(chars);
    }
}
