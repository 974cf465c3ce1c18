using System.Text;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Text;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>What a mint request asks for, checked: table privileges and the scopes they apply to.</summary>
internal sealed record RequestedGrants(IReadOnlyList<string> Privileges, IReadOnlyList<GrantScope> Scopes)
{
    public const string UnsupportedPrivilegeCode = "unsupported_privilege";
    public const string InvalidResourceCode = "invalid_resource";

    /// <summary>The only privileges this connector grants: data access, never DDL, TRUNCATE, REFERENCES or TRIGGER.</summary>
    public static readonly IReadOnlyList<string> AllowedPrivileges = ["SELECT", "INSERT", "UPDATE", "DELETE"];

    private const int MaxResources = 64;

    /// <summary>The databases the grants touch, in first-mention order.</summary>
    public IReadOnlyList<string> Databases => Scopes.Select(s => s.Database).Distinct(StringComparer.Ordinal).ToList();

    public static RequestedGrants Parse(IReadOnlyList<string> resources, IReadOnlyList<string> actions)
    {
        return new RequestedGrants(ParsePrivileges(actions), ParseScopes(resources));
    }

    private static List<string> ParsePrivileges(IReadOnlyList<string> actions)
    {
        var allowed = string.Join(", ", AllowedPrivileges);
        if (actions.Count == 0)
        {
            throw new CredentialRequestException(UnsupportedPrivilegeCode, $"Name at least one action; PostgreSQL grants allow {allowed}.");
        }

        var privileges = new List<string>();
        foreach (var action in actions)
        {
            var match = AllowedPrivileges.FirstOrDefault(p => string.Equals(p, action?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                throw new CredentialRequestException(
                    UnsupportedPrivilegeCode,
                    $"Action '{UntrustedText.Excerpt(action)}' is not supported for PostgreSQL; the allowed actions are {allowed}.");
            }

            if (!privileges.Contains(match))
            {
                privileges.Add(match);
            }
        }

        // A stable order keeps statements and audit records comparable across requests.
        return AllowedPrivileges.Where(privileges.Contains).ToList();
    }

    private static List<GrantScope> ParseScopes(IReadOnlyList<string> resources)
    {
        if (resources.Count == 0)
        {
            throw new CredentialRequestException(InvalidResourceCode, "Name at least one resource: database, database.schema or database.schema.table.");
        }

        if (resources.Count > MaxResources)
        {
            throw new CredentialRequestException(InvalidResourceCode, $"At most {MaxResources} resources can be granted in one lease; split the request.");
        }

        var scopes = new List<GrantScope>();
        foreach (var resource in resources)
        {
            var scope = ParseScope(resource);
            if (!scopes.Contains(scope))
            {
                scopes.Add(scope);
            }
        }

        return scopes;
    }

    /// <summary>True when <paramref name="resource"/> is a scope this connector can grant on (see <see cref="GrantScope"/>).</summary>
    public static bool IsScope(string? resource) => ScopeProblem(ScopeParts(resource)) is null;

    private static GrantScope ParseScope(string resource)
    {
        var parts = ScopeParts(resource);
        if (ScopeProblem(parts) is { } problem)
        {
            throw InvalidResource(resource, problem);
        }

        return parts.Length switch
        {
            1 => new GrantScope(resource!, parts[0], GrantScope.DefaultSchema, null),
            2 => new GrantScope(resource!, parts[0], parts[1], null),
            _ => new GrantScope(resource!, parts[0], parts[1], parts[2]),
        };
    }

    private static string[] ScopeParts(string? resource)
    {
        // Names are taken literally and written one way only: no quoting syntax, no case folding. Two spellings of
        // one table would let a request slip past a more specific (more sensitive) policy catalogue entry.
        var parts = (resource ?? string.Empty).Split('.');
        // 'db.schema.*' is how policy catalogues write "every table in the schema": the same scope as 'db.schema'.
        // Only a whole last part may be '*'; any other wildcard is refused below.
        return parts.Length == 3 && parts[2] == "*" ? parts[..2] : parts;
    }

    private static string? ScopeProblem(string[] parts)
    {
        if (parts.Length > 3)
        {
            return "use database, database.schema (or database.schema.*) or database.schema.table";
        }

        foreach (var part in parts)
        {
            if (Problem(part) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "a name is empty (names are separated by single dots and cannot contain a dot)";
        }

        if (name.Trim().Length != name.Length)
        {
            return $"'{UntrustedText.Excerpt(name)}' starts or ends with white space";
        }

        if (Encoding.UTF8.GetByteCount(name) > LoginRoleName.MaxBytes)
        {
            return $"'{UntrustedText.Excerpt(name)}' is longer than PostgreSQL's {LoginRoleName.MaxBytes}-byte name limit";
        }

        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.IsControl(rune))
            {
                return $"'{UntrustedText.Excerpt(name)}' contains a control or invalid character";
            }
        }

        // A lone surrogate cannot be encoded as UTF-8, so a round trip changes it.
        return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name)) == name ? null : $"'{UntrustedText.Excerpt(name)}' is not valid Unicode text";
    }

    private static CredentialRequestException InvalidResource(string? resource, string reason) =>
        new(InvalidResourceCode, $"Resource '{UntrustedText.Excerpt(resource)}' is not a PostgreSQL resource: {reason}.");
}
