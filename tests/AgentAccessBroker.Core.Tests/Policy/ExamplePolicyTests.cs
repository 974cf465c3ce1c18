using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class ExamplePolicyTests
{
    private static readonly string ExamplePath = PolicyTestFiles.RepositoryFile("infra/policy/example-policy.yaml");

    [Fact]
    public void LoadFile_ExamplePolicy_HasNoProblems()
    {
        var result = PolicyLoader.LoadFile(ExamplePath, PolicyTestFiles.KnownConnectors);

        Assert.Empty(result.Problems);
        Assert.Empty(result.Notices);
        Assert.True(result.IsValid);
    }

    [Fact]
    public void LoadFile_ExamplePolicy_DemoTargetIsPostgresWithPasswordByEnvironmentReference()
    {
        var policy = PolicyLoader.LoadFile(ExamplePath, PolicyTestFiles.KnownConnectors).Policy!;

        var appDb = policy.FindTarget("app-db")!;
        Assert.Equal("postgresql", appDb.Connector);
        Assert.Equal("platform", appDb.ApproverGroup);
        Assert.Equal("app", appDb.Settings.Require("admin_database"));
        Assert.Equal("5432", appDb.Settings.Require("port"));
        Assert.Equal(new SecretReference(SecretSource.Environment, "AAB_DEMO_PG_PASSWORD"), appDb.Settings.SecretReferences["password"]);
        Assert.False(appDb.Settings.Settings.ContainsKey("password"));
        Assert.Equal(["app.public.*", "app.public.invoices", "app.hr.*"], appDb.Resources.Select(r => r.Pattern));
        Assert.Equal(["financial"], appDb.Match("app.public.invoices")!.Tags);
        Assert.Equal(Sensitivity.High, appDb.Match("app.hr.salaries")!.Sensitivity);
        Assert.Equal(["pii"], appDb.Match("app.hr.salaries")!.Tags);
        Assert.All(appDb.Resources, r => Assert.Equal("dev", r.Environment));
    }

    [Fact]
    public void LoadFile_ExamplePolicy_HasAgentApproversAndCloudTargets()
    {
        var policy = PolicyLoader.LoadFile(ExamplePath, PolicyTestFiles.KnownConnectors).Policy!;

        Assert.Equal("alice", policy.FindAgent("billing-bot")!.Owner);
        Assert.Equal(["bob", "carol"], policy.FindApproverGroup("platform")!.Members.Select(m => m.Id));
        Assert.Equal("aws", policy.FindTarget("aws-billing")!.Connector);
        Assert.NotNull(policy.FindTarget("aws-billing")!.Settings.Get("role_arn"));
        var azure = policy.FindTarget("azure-billing")!;
        Assert.Equal("azure", azure.Connector);
        Assert.Equal(SecretSource.Environment, azure.Settings.SecretReferences["client_secret"].Source);
        Assert.Equal(SensitivityRules.Defaults[Sensitivity.Critical], policy.RulesFor(Sensitivity.Critical));
        Assert.Equal(EscalationRules.Default, policy.Escalation);
    }

    [Fact]
    public void LoadFile_ExamplePolicy_VersionIsContentHash()
    {
        var text = File.ReadAllText(ExamplePath);

        var policy = PolicyLoader.LoadFile(ExamplePath, PolicyTestFiles.KnownConnectors).Policy!;

        Assert.Equal(PolicyLoader.ComputeVersion(text), policy.Version);
        Assert.Matches("^[0-9a-f]{16}$", policy.Version);
        Assert.NotEqual(policy.Version, PolicyLoader.ComputeVersion(text + "\n# edited\n"));
        Assert.Equal(ExamplePath, policy.Source);
    }
}
