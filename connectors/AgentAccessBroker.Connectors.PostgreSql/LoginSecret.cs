using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// A fresh random password and the SCRAM-SHA-256 verifier the server stores for it. Only the verifier is sent in
/// <c>CREATE ROLE</c>, so the password itself never appears in a statement, the server log, <c>pg_stat_activity</c>
/// or <c>pg_stat_statements</c> (the same approach as psql's <c>\password</c>).
/// </summary>
internal sealed class LoginSecret
{
    private const int PasswordBytes = 32;
    private const int SaltBytes = 16;
    private const int Iterations = 4096;

    private LoginSecret(string password, string verifier)
    {
        Password = password;
        Verifier = verifier;
    }

    /// <summary>43 characters of base64url: letters, digits, '-' and '_'; nothing that needs quoting anywhere.</summary>
    public string Password { get; }

    /// <summary><c>SCRAM-SHA-256$&lt;iterations&gt;:&lt;salt&gt;$&lt;StoredKey&gt;:&lt;ServerKey&gt;</c>.</summary>
    public string Verifier { get; }

    public static LoginSecret Create() => FromPassword(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(PasswordBytes)));

    /// <summary>Tests use a known password to prove it never leaks; production always goes through <see cref="Create"/>.</summary>
    internal static LoginSecret FromPassword(string password) =>
        new(password, ScramVerifier(password, RandomNumberGenerator.GetBytes(SaltBytes), Iterations));

    public override string ToString() => "LoginSecret (redacted)";

    /// <summary>RFC 5802 / RFC 7677 verifier in PostgreSQL's storage format.</summary>
    internal static string ScramVerifier(string password, byte[] salt, int iterations)
    {
        // SASLprep is the identity for the ASCII passwords generated here.
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
