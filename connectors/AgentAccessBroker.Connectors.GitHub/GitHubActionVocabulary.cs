using System.Text.RegularExpressions;
using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// GitHub App permissions with a level (<c>contents:write</c>) for the intent analyzer. Reads are reads; writes to
/// code, issues and pull requests are writes, and so is setting a secret's value (as <c>secretsmanager:PutSecretValue</c>
/// is for AWS: it replaces a credential, it does not change who may act); what changes who may act or what runs with the
/// repository's secrets (administration, members, organisation settings and secrets, workflows, environments) is a
/// privilege change; a permission GitHub does not have is unknown (null). Issue and discussion writes touch only the
/// records people keep about the work, not the code that deploys. Pure.
/// </summary>
internal sealed partial class GitHubActionVocabulary : IActionVocabulary
{
    /// <summary>Repository permissions whose writes are plain writes.</summary>
    private static readonly HashSet<string> PlainWrites = new(StringComparer.Ordinal)
    {
        "actions", "attestations", "checks", "codespaces", "codespaces_lifecycle_admin", "codespaces_metadata", "contents",
        "deployments", "discussions", "issues", "merge_queues", "metadata", "packages", "pages", "pull_requests",
        "repository_projects", "statuses", "single_file", "repository_custom_properties",
    };

    /// <summary>Writes that silence alerts or monitoring.</summary>
    private static readonly HashSet<string> MonitoringWrites = new(StringComparer.Ordinal)
    {
        "security_events", "secret_scanning_alerts", "vulnerability_alerts", "repository_hooks",
    };

    /// <summary>Permissions over secret values (or whose writes run code with them).</summary>
    private static readonly HashSet<string> SecretPermissions = new(StringComparer.Ordinal)
    {
        "secrets", "dependabot_secrets", "codespaces_secrets", "organization_secrets", "workflows", "environments",
    };

    /// <summary>Permissions over who may act: any write is a privilege change.</summary>
    private static readonly HashSet<string> PrivilegePermissions = new(StringComparer.Ordinal)
    {
        "administration", "members", "organization_administration", "organization_custom_roles", "organization_user_blocking",
        "organization_self_hosted_runners", "organization_hooks", "organization_personal_access_tokens",
        "organization_personal_access_token_requests", "email_addresses", "gpg_keys", "git_ssh_keys",
    };

    /// <summary>
    /// Secrets whose write sets a value in one repository (GitHub never returns a value, so nothing is read back). An
    /// organisation secret also says which repositories may use it, so its write stays a privilege change.
    /// </summary>
    private static readonly HashSet<string> SecretValueWrites = new(StringComparer.Ordinal)
    {
        "secrets", "dependabot_secrets", "codespaces_secrets",
    };

    /// <summary>
    /// The records people keep about the work: a write changes an issue, a discussion or a pull request's conversation
    /// (comments, reviews, title, labels), never the code or what deploys. A pull request's commits and its merge need
    /// <c>contents:write</c>.
    /// </summary>
    private static readonly HashSet<string> WorkRecords = new(StringComparer.Ordinal)
    {
        "issues", "discussions", "pull_requests",
    };

    /// <summary>A repository's source: a push reaches an environment only through a build and a deployment, and a read changes none.</summary>
    private static readonly HashSet<string> SourceWrites = new(StringComparer.Ordinal)
    {
        "contents", "single_file",
    };

    /// <summary>Content-bearing permissions: their reads and writes touch the repository's data.</summary>
    private static readonly HashSet<string> DataPermissions = new(StringComparer.Ordinal)
    {
        "contents", "issues", "pull_requests", "discussions", "packages", "single_file", "codespaces",
    };

    public string Connector => InstallationTokenProvider.ConnectorName;

    public IReadOnlyList<string> MintableActions => [];

    public ClassifiedAction? Classify(string action)
    {
        var match = ActionPattern().Match(action.Trim());
        if (!match.Success)
        {
            return null;
        }

        var name = match.Groups["name"].Value;
        var level = match.Groups["level"].Value;
        var isOrganization = name.StartsWith("organization_", StringComparison.Ordinal);
        var known = PlainWrites.Contains(name) || MonitoringWrites.Contains(name) || SecretPermissions.Contains(name)
            || PrivilegePermissions.Contains(name) || isOrganization;
        if (!known)
        {
            return null;
        }

        var data = DataPermissions.Contains(name) ? ActionTraits.DataAccess : ActionTraits.None;
        if (SecretPermissions.Contains(name))
        {
            if (level == "read")
            {
                return new(action, ActionClass.Read, ActionTraits.SecretRead);
            }

            return level == "write" && SecretValueWrites.Contains(name)
                ? new(action, ActionClass.Write, ActionTraits.DataAccess | ActionTraits.SetsSecret)
                : new(action, ActionClass.PrivilegeChange, ActionTraits.SecretRead);
        }

        if (level == "read")
        {
            return new(action, ActionClass.Read, SourceWrites.Contains(name) ? data | ActionTraits.SourceCode : WorkRecords.Contains(name) ? data | ActionTraits.WorkRecordsOnly : data);
        }

        if (level == "admin" || PrivilegePermissions.Contains(name) || isOrganization)
        {
            return new(action, ActionClass.PrivilegeChange, name == "members" ? ActionTraits.IdentityCreate | ActionTraits.PolicyAttach : ActionTraits.PolicyAttach);
        }

        if (MonitoringWrites.Contains(name))
        {
            return new(action, ActionClass.Write, ActionTraits.LoggingWeaken);
        }

        if (WorkRecords.Contains(name))
        {
            return new(action, ActionClass.Write, name == "pull_requests" ? data | ActionTraits.WorkRecordsOnly | ActionTraits.ProposesForReview : data | ActionTraits.WorkRecordsOnly);
        }

        return new(action, ActionClass.Write, SourceWrites.Contains(name) ? data | ActionTraits.SourceCode : data);
    }

    public IReadOnlyList<string> ReadCounterparts(string action)
    {
        var trimmed = action.Trim();
        if (Classify(trimmed) is not { } classified || classified.Class == ActionClass.Read)
        {
            return [];
        }

        var name = trimmed[..trimmed.IndexOf(':', StringComparison.Ordinal)];
        if (name == "workflows")
        {
            // Workflows has no read level: workflow files are read through contents.
            return ["contents:read"];
        }

        // A secret permission's read is still a secret read, so it is no narrower request.
        return classified.Has(ActionTraits.SecretRead) || SecretPermissions.Contains(name) ? [] : [name + ":read"];
    }

    public bool RecognisesResource(string resource) => RepositoryPattern().IsMatch(resource.Trim());

    [GeneratedRegex("^(?<name>[a-z][a-z_]{0,63}):(?<level>read|write|admin)$")]
    private static partial Regex ActionPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/(?:[A-Za-z0-9._-]{1,100}|\\*)$")]
    private static partial Regex RepositoryPattern();
}
