using AgentAccessBroker.Credentials;
using AgentAccessBroker.Policy;
using static AgentAccessBroker.Core.Tests.Policy.PolicyTestFiles;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class ConnectorSettingsRuleTests
{
    [Fact]
    public void Load_UnknownConnector_ReportsUnknownConnectorAtTheConnectorValue()
    {
        var yaml = With(Minimal, "connector: postgresql", "connector: postgres");

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, "connector: postgres"), 16, PolicyProblemCodes.UnknownConnector), (problem.Line, problem.Column, problem.Code));
    }

    [Fact]
    public void Load_ConnectorRejectsPresentKey_ReportsAtThatKey()
    {
        ConnectorValidator validator = target => [new TargetSettingProblem("port", "must be a number between 1 and 65535")];

        var problem = Single(PolicyLoader.Load(Minimal, "test.yaml", validator));

        Assert.Equal((LineOf(Minimal, "port: 5432"), 7, PolicyProblemCodes.InvalidSetting), (problem.Line, problem.Column, problem.Code));
        Assert.Equal("target 'app-db' setting 'port': must be a number between 1 and 65535", problem.Message);
    }

    [Fact]
    public void Load_ConnectorReportsMissingKey_ReportsAtSettingsKey()
    {
        var yaml = With(Minimal, "      username: broker\n", string.Empty);

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, "settings:"), 5, PolicyProblemCodes.InvalidSetting), (problem.Line, problem.Column, problem.Code));
        Assert.Contains("'username'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TargetWithoutSettings_ReportsEachMissingKeyAtTheTarget()
    {
        var yaml = With(
            Minimal,
            "    settings:\n      host: 127.0.0.1\n      port: 5432\n      database: app\n      username: broker\n      password: { env: AAB_TEST_PG_PASSWORD }\n",
            string.Empty);

        var result = Load(yaml);

        Assert.Equal(4, result.Problems.Count);
        Assert.All(result.Problems, p => Assert.Equal((LineOf(yaml, "- name: app-db"), PolicyProblemCodes.InvalidSetting), (p.Line, p.Code)));
    }

    [Fact]
    public void Load_ValidTarget_PassesPlainSettingsAndSecretReferencesToTheConnector()
    {
        TargetSettings? seen = null;
        ConnectorValidator validator = target =>
        {
            seen = target;
            return [];
        };

        Assert.Empty(PolicyLoader.Load(Minimal, "test.yaml", validator).Problems);

        Assert.NotNull(seen);
        Assert.Equal(("app-db", "postgresql"), (seen.Name, seen.Connector));
        Assert.Equal(["database", "host", "port", "username"], seen.Settings.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new SecretReference(SecretSource.Environment, "AAB_TEST_PG_PASSWORD"), Assert.Single(seen.SecretReferences).Value);
    }

    [Fact]
    public void Load_InlineSecret_IsNotPassedToTheConnectorAndConnectorComplaintIsNotDuplicated()
    {
        var yaml = With(Minimal, "password: { env: AAB_TEST_PG_PASSWORD }", "password: s3cr3t-value");
        TargetSettings? seen = null;
        ConnectorValidator validator = target =>
        {
            seen = target;
            return KnownConnectors(target);
        };

        var problem = Single(PolicyLoader.Load(yaml, "test.yaml", validator));

        Assert.Equal(PolicyProblemCodes.InlineSecret, problem.Code);
        Assert.NotNull(seen);
        Assert.DoesNotContain("password", seen.Settings.Keys);
        Assert.DoesNotContain("s3cr3t-value", seen.Settings.Values);
    }
}
