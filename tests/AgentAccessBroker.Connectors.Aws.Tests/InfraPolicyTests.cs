using System.Text.Json;
using System.Text.RegularExpressions;

namespace AgentAccessBroker.Connectors.Aws.Tests;

/// <summary>
/// Terraform cannot run here, so these tests read every policy document under infra/aws and check what it allows, and
/// that the Terraform files load exactly those documents with every placeholder supplied.
/// </summary>
public sealed partial class InfraPolicyTests
{
    private static readonly string InfraDirectory = Path.Combine(RepositoryRoot(), "infra", "aws");

    /// <summary>Every AWS action the connector calls with the broker's credentials.</summary>
    private static readonly string[] ConnectorActions =
        ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity", "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"];

    public static TheoryData<string> PolicyFiles() => new(PolicyFilePaths());

    private static IEnumerable<string> PolicyFilePaths() =>
        Directory.GetFiles(InfraDirectory, "*.json", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(InfraDirectory, file))
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(PolicyFiles))]
    public void PolicyDocument_EveryFile_IsAWellFormedIamPolicy(string relativePath)
    {
        var statements = Statements(relativePath);

        Assert.NotEmpty(statements);
        Assert.All(statements, s =>
        {
            Assert.Contains(s.GetProperty("Effect").GetString(), new[] { "Allow", "Deny" });
            Assert.True(s.TryGetProperty("Action", out _) ^ s.TryGetProperty("NotAction", out _), "exactly one of Action / NotAction");
            if (s.TryGetProperty("Sid", out var sid))
            {
                Assert.Matches("^[A-Za-z0-9]+$", sid.GetString()!);
            }
        });
    }

    [Fact]
    public void BrokerPolicy_AllowsExactlyTheConnectorsActions()
    {
        var allowed = Statements("policies/broker-permissions.json")
            .Where(s => s.GetProperty("Effect").GetString() == "Allow")
            .SelectMany(s => Values(s, "Action"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(ConnectorActions.Order(StringComparer.Ordinal), allowed);
    }

    [Fact]
    public void BrokerPolicy_AllowsOnlyOnTargetRoles()
    {
        var allows = Statements("policies/broker-permissions.json").Where(s => s.GetProperty("Effect").GetString() == "Allow").ToList();

        Assert.All(allows, s =>
        {
            Assert.False(s.TryGetProperty("NotAction", out _));
            Assert.False(s.TryGetProperty("NotResource", out _));
            Assert.All(Values(s, "Action"), a => Assert.DoesNotContain("*", a, StringComparison.Ordinal));
            Assert.All(Values(s, "Resource"), r => Assert.Equal("arn:${partition}:iam::${account_id}:role${target_role_path}*", r));
        });
    }

    [Fact]
    public void BrokerPolicy_DeniesLooseningTargetRoles()
    {
        var denied = Statements("policies/broker-permissions.json").Where(s => s.GetProperty("Effect").GetString() == "Deny").SelectMany(s => Values(s, "Action")).ToList();

        Assert.Contains("iam:DeleteRolePermissionsBoundary", denied);
        Assert.Contains("iam:PutRolePermissionsBoundary", denied);
        Assert.Contains("iam:UpdateAssumeRolePolicy", denied);
        Assert.Contains("iam:AttachRolePolicy", denied);
    }

    [Fact]
    public void TargetTrust_OnlyBrokerWithSourceIdentityAndLeaseTag()
    {
        var statement = Assert.Single(Statements("policies/target-trust.json"));

        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal("${broker_role_arn}", statement.GetProperty("Principal").GetProperty("AWS").GetString());
        Assert.Equal(["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"], Values(statement, "Action").Order(StringComparer.Ordinal));
        var condition = statement.GetProperty("Condition");
        Assert.Equal("false", condition.GetProperty("Null").GetProperty("sts:SourceIdentity").GetString());
        Assert.Equal("false", condition.GetProperty("Null").GetProperty($"aws:RequestTag/{StsCredentialProvider.LeaseTagKey}").GetString());
        Assert.Equal(
            new[] { StsCredentialProvider.LeaseTagKey, StsCredentialProvider.TaskTagKey, StsCredentialProvider.AgentTagKey }.Order(StringComparer.Ordinal),
            Values(condition.GetProperty("ForAllValues:StringEquals"), "aws:TagKeys").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TargetBoundary_AllowsNoIamAndDeniesRoleChaining()
    {
        var statements = Statements("policies/target-permissions-boundary.json");

        foreach (var allow in statements.Where(s => s.GetProperty("Effect").GetString() == "Allow"))
        {
            Assert.False(allow.TryGetProperty("Action", out _), "the boundary allows by NotAction so IAM and STS stay outside it");
            Assert.Contains("iam:*", Values(allow, "NotAction"));
            Assert.Contains("sts:*", Values(allow, "NotAction"));
        }

        var denied = statements.Where(s => s.GetProperty("Effect").GetString() == "Deny").SelectMany(s => Values(s, "Action")).ToList();
        Assert.Contains("iam:*", denied);
        Assert.Contains("sts:AssumeRole", denied);
        Assert.Contains("sts:AssumeRoleWithWebIdentity", denied);
    }

    [Fact]
    public void Terraform_LoadsEveryPolicyFileAndSuppliesEveryPlaceholder()
    {
        var terraform = string.Join('\n', Directory.GetFiles(InfraDirectory, "*.tf").Select(File.ReadAllText));
        var loaded = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Match call in FileCall().Matches(terraform))
        {
            var variables = call.Groups["vars"].Success
                ? AssignedName().Matches(call.Groups["vars"].Value).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal)
                : [];
            loaded[call.Groups["path"].Value] = variables;
        }

        foreach (var relativePath in PolicyFilePaths())
        {
            var path = relativePath.Replace('\\', '/');
            Assert.True(loaded.TryGetValue(path, out var supplied), $"{path} is not loaded by any .tf file");
            var placeholders = Placeholder().Matches(File.ReadAllText(Path.Combine(InfraDirectory, relativePath))).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
            Assert.Subset(supplied, placeholders);
        }

        Assert.All(loaded.Keys, path => Assert.True(File.Exists(Path.Combine(InfraDirectory, path)), $"{path} is referenced but missing"));
    }

    private static List<JsonElement> Statements(string relativePath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(InfraDirectory, relativePath)));
        Assert.Equal("2012-10-17", document.RootElement.GetProperty("Version").GetString());
        var statement = document.RootElement.GetProperty("Statement");
        var list = statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : [statement];
        return list.Select(s => s.Clone()).ToList();
    }

    private static List<string> Values(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!).ToList() : [value.GetString()!];
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AgentAccessBroker.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Repository root (AgentAccessBroker.sln) not found above the test binaries.");
    }

    [GeneratedRegex("""(?:templatefile|file)\("\$\{path\.module\}/(?<path>[^"]+)"(?:\s*,\s*\{(?<vars>[^}]*)\})?\)""")]
    private static partial Regex FileCall();

    [GeneratedRegex(@"(?:^|[\s,{])(\w+)\s*=")]
    private static partial Regex AssignedName();

    [GeneratedRegex(@"\$\{(\w+)\}")]
    private static partial Regex Placeholder();
}
