using System.Globalization;
using System.Text;
using AgentAccessBroker.Credentials;
using Npgsql;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>A policy target's settings for this connector, validated.</summary>
/// <param name="Username">The broker's admin role (superuser, or CREATEROLE + pg_signal_backend).</param>
/// <param name="OwnerRole">Receives whatever the minted role owned when it is revoked (REASSIGN OWNED).</param>
internal sealed record PostgresTarget(
    string Host,
    int Port,
    string Username,
    SecretReference Password,
    string AdminDatabase,
    SslMode? SslMode,
    string OwnerRole)
{
    public const string HostKey = "host";
    public const string PortKey = "port";
    public const string UsernameKey = "username";
    public const string PasswordKey = "password";
    public const string AdminDatabaseKey = "admin_database";
    public const string SslModeKey = "ssl_mode";
    public const string OwnerRoleKey = "owner_role";

    public const int DefaultPort = 5432;
    public const string DefaultAdminDatabase = "postgres";

    private static readonly string[] PlainKeys = [HostKey, PortKey, UsernameKey, AdminDatabaseKey, SslModeKey, OwnerRoleKey];

    private static readonly Dictionary<string, SslMode> SslModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["disable"] = Npgsql.SslMode.Disable,
        ["allow"] = Npgsql.SslMode.Allow,
        ["prefer"] = Npgsql.SslMode.Prefer,
        ["require"] = Npgsql.SslMode.Require,
        ["verify-ca"] = Npgsql.SslMode.VerifyCA,
        ["verify-full"] = Npgsql.SslMode.VerifyFull,
    };

    /// <summary>The libpq spelling of <see cref="SslMode"/>, for the credential forms handed to the agent.</summary>
    public string? SslModeName => SslMode is { } mode ? SslModes.First(m => m.Value == mode).Key : null;

    public static IReadOnlyList<TargetSettingProblem> Validate(TargetSettings target)
    {
        var problems = new List<TargetSettingProblem>();
        RequireName(target, HostKey, "the PostgreSQL server's host name or address", problems, checkLength: false);
        RequireName(target, UsernameKey, "the broker's admin role (superuser, or CREATEROLE with pg_signal_backend)", problems, checkLength: true);

        if (target.Get(PortKey) is { } port && !TryParsePort(port, out _))
        {
            problems.Add(new(PortKey, $"'{port}' is not a TCP port: use a whole number from 1 to 65535 (default {DefaultPort})."));
        }

        OptionalName(target, AdminDatabaseKey, problems);
        OptionalName(target, OwnerRoleKey, problems);

        if (target.Get(SslModeKey) is { } sslMode && !SslModes.ContainsKey(sslMode))
        {
            problems.Add(new(SslModeKey, $"'{sslMode}' is not an SSL mode: use one of {string.Join(", ", SslModes.Keys)}."));
        }

        // An inline password is reported by the policy loader as well; this keeps the connector safe on its own.
        if (!target.SecretReferences.ContainsKey(PasswordKey))
        {
            problems.Add(new(PasswordKey, "The admin role's password must be given by reference (environment variable or file), never inline."));
        }

        foreach (var key in target.Settings.Keys.Where(k => !PlainKeys.Contains(k, StringComparer.Ordinal) && k != PasswordKey))
        {
            problems.Add(new(key, $"Unknown setting for the postgresql connector; known settings: {string.Join(", ", PlainKeys)}, {PasswordKey} (by reference)."));
        }

        foreach (var key in target.SecretReferences.Keys.Where(k => k != PasswordKey))
        {
            problems.Add(new(key, $"Unknown secret setting for the postgresql connector; only '{PasswordKey}' is read."));
        }

        return problems;
    }

    /// <summary>Reads a target the policy loader already validated; a problem here is a misconfiguration, not a caller error.</summary>
    public static PostgresTarget From(TargetSettings target)
    {
        var problems = Validate(target);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Target '{target.Name}' is misconfigured for the postgresql connector: {string.Join(" ", problems.Select(p => $"{p.Key}: {p.Message}"))}");
        }

        var username = target.Require(UsernameKey);
        return new PostgresTarget(
            Host: target.Require(HostKey),
            Port: target.Get(PortKey) is { } port && TryParsePort(port, out var parsed) ? parsed : DefaultPort,
            Username: username,
            Password: target.SecretReferences[PasswordKey],
            AdminDatabase: target.Get(AdminDatabaseKey) ?? DefaultAdminDatabase,
            SslMode: target.Get(SslModeKey) is { } mode ? SslModes[mode] : null,
            OwnerRole: target.Get(OwnerRoleKey) ?? username);
    }

    private static bool TryParsePort(string value, out int port) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;

    private static void RequireName(TargetSettings target, string key, string what, List<TargetSettingProblem> problems, bool checkLength)
    {
        var value = target.Get(key);
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add(new(key, $"Required: {what}."));
        }
        else if (checkLength)
        {
            CheckIdentifier(key, value, problems);
        }
    }

    private static void OptionalName(TargetSettings target, string key, List<TargetSettingProblem> problems)
    {
        if (target.Get(key) is { } value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                problems.Add(new(key, "Must not be empty; leave the key out to use the default."));
            }
            else
            {
                CheckIdentifier(key, value, problems);
            }
        }
    }

    private static void CheckIdentifier(string key, string value, List<TargetSettingProblem> problems)
    {
        if (Encoding.UTF8.GetByteCount(value) > LoginRoleName.MaxBytes || value.Contains('\0', StringComparison.Ordinal))
        {
            problems.Add(new(key, $"'{value}' is not a PostgreSQL name: at most {LoginRoleName.MaxBytes} bytes, no NUL character."));
        }
    }
}
