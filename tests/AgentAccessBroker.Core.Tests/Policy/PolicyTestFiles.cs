using AgentAccessBroker.Credentials;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Core.Tests.Policy;

/// <summary>Shared inputs for policy tests: repository files, a connector validator like the real ones, and a small valid policy.</summary>
internal static class PolicyTestFiles
{
    /// <summary>
    /// Checks settings the way the real connectors do (required keys, secrets by reference) for postgresql, aws,
    /// azure and github; any other connector name is unknown.
    /// </summary>
    public static readonly ConnectorValidator KnownConnectors = target => target.Connector switch
    {
        "postgresql" => Check(target, ["host", "port", "username"], ["password"]),
        "aws" => Check(target, ["role_arn", "region"], []),
        "azure" => Check(target, ["tenant_id", "subscription_id", "client_id", "principal_object_id", "allowed_roles"], ["client_secret"]),
        "github" => Check(target, ["app_id", "allowed_permissions"], ["private_key"]),
        _ => null,
    };

    /// <summary>A valid policy: tests change one thing in it and expect exactly the problems that change causes.</summary>
    public const string Minimal = """
        version: 1
        agents:
          - id: billing-bot
            owner: alice
            targets: [app-db]
        approver_groups:
          - name: platform
            members:
              - { id: bob, slack_user: U0BOB }
              - { id: carol }
        rules:
          - name: no-prod-deletes
            effect: deny
            when: { environment: prod, min_action_class: destructive }
        targets:
          - name: app-db
            connector: postgresql
            approvers: platform
            settings:
              host: 127.0.0.1
              port: 5432
              database: app
              username: broker
              password: { env: AAB_TEST_PG_PASSWORD }
            resources:
              - name: "app.public.*"
                sensitivity: medium
                environment: dev
        """ + "\n";

    public static string RepositoryFile(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentAccessBroker.sln")))
            {
                return Path.Combine(directory.FullName, relativePath);
            }
        }

        throw new InvalidOperationException($"No AgentAccessBroker.sln above {AppContext.BaseDirectory}.");
    }

    public static PolicyLoadResult Load(string yaml) => PolicyLoader.Load(yaml, "test.yaml", KnownConnectors);

    /// <summary>The 1-based line of the first line containing <paramref name="marker"/>.</summary>
    public static int LineOf(string yaml, string marker)
    {
        var lines = yaml.Split('\n');
        var index = Array.FindIndex(lines, l => l.Contains(marker, StringComparison.Ordinal));
        return index >= 0 ? index + 1 : throw new InvalidOperationException($"'{marker}' is not in the YAML.");
    }

    /// <summary>Replaces exactly one occurrence, so a test cannot silently change nothing.</summary>
    public static string With(string yaml, string oldText, string newText)
    {
        var first = yaml.IndexOf(oldText, StringComparison.Ordinal);
        if (first < 0 || yaml.IndexOf(oldText, first + 1, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"'{oldText}' must occur exactly once.");
        }

        return string.Concat(yaml.AsSpan(0, first), newText, yaml.AsSpan(first + oldText.Length));
    }

    public static PolicyProblem Single(PolicyLoadResult result)
    {
        Assert.Null(result.Policy);
        return Assert.Single(result.Problems);
    }

    private static List<TargetSettingProblem> Check(TargetSettings target, string[] plain, string[] secret)
    {
        var problems = new List<TargetSettingProblem>();
        problems.AddRange(plain.Where(k => target.Get(k) is null).Select(k => new TargetSettingProblem(k, "is required")));
        problems.AddRange(secret.Where(k => !target.SecretReferences.ContainsKey(k)).Select(k => new TargetSettingProblem(k, "is required as { env: ... } or { file: ... }")));
        return problems;
    }
}
