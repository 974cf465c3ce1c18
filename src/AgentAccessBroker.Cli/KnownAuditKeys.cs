using System.Security.Cryptography;
using AgentAccessBroker.Server.Audit;

namespace AgentAccessBroker.Cli;

/// <summary>
/// Audit signing keys this user trusts, one per line (<c>key-id base64-public-key where-it-came-from</c>), like SSH's
/// known_hosts: a key lands here with <c>aab audit verify --pin</c> (fetched from the broker over its authenticated
/// API: trust on first use) or by hand, and an export verifies as "signed by a known key" only against these.
/// </summary>
internal sealed class KnownAuditKeys
{
    private readonly List<(string KeyId, byte[] PublicKey, string Origin)> _keys;

    private KnownAuditKeys(string path, List<(string, byte[], string)> keys)
    {
        Path = path;
        _keys = keys;
    }

    public string Path { get; }

    public static string DefaultPath =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "aab", "known-audit-keys");

    public static KnownAuditKeys Load(string path)
    {
        var keys = new List<(string, byte[], string)>();
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2 || line.StartsWith('#'))
                {
                    continue;
                }

                try
                {
                    var key = Convert.FromBase64String(parts[1]);
                    if (AuditSigningKey.KeyIdOf(key) == parts[0])
                    {
                        keys.Add((parts[0], key, parts.Length > 2 ? parts[2] : string.Empty));
                    }
                }
                catch (FormatException)
                {
                    // A damaged line pins nothing.
                }
            }
        }

        return new KnownAuditKeys(path, keys);
    }

    /// <summary>Where a known key came from, or null when the key is not known.</summary>
    public string? OriginOf(byte[] publicKey) =>
        _keys.FirstOrDefault(k => k.PublicKey.AsSpan().SequenceEqual(publicKey)) is { PublicKey: not null } known ? known.Origin : null;

    /// <summary>Adds a key (a no-op when it is known) and saves the file owner-only.</summary>
    public void Pin(byte[] publicKey, string origin)
    {
        if (OriginOf(publicKey) is not null)
        {
            return;
        }

        _keys.Add((AuditSigningKey.KeyIdOf(publicKey), publicKey, origin));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var lines = _keys.Select(k => $"{k.KeyId} {Convert.ToBase64String(k.PublicKey)} {k.Origin}".TrimEnd());
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(new FileStream(Path, options));
        foreach (var line in lines)
        {
            writer.WriteLine(line);
        }
    }

    public static byte[] ReadPem(string pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        return key.ExportSubjectPublicKeyInfo();
    }
}
