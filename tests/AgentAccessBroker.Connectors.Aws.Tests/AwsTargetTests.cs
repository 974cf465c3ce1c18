using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class AwsTargetTests
{
    private static TargetSettings Settings(Dictionary<string, string> values, Dictionary<string, SecretReference>? secrets = null) =>
        new("prod-reader", "aws", values, secrets ?? []);

    [Fact]
    public void TryParse_OnlyRoleArn_UsesDefaults()
    {
        var problems = new List<TargetSettingProblem>();

        var target = AwsTarget.TryParse(Settings(new() { ["role_arn"] = "arn:aws:iam::123456789012:role/agents/prod-reader" }), problems);

        Assert.Empty(problems);
        Assert.NotNull(target);
        Assert.Equal("prod-reader", target.RoleName);
        Assert.Equal("123456789012", target.AccountId);
        Assert.Equal("us-east-1", target.Region);
        Assert.Equal(TimeSpan.FromHours(1), target.MaxSessionDuration);
        Assert.Equal(new Uri("https://iam.amazonaws.com/"), target.IamEndpoint);
        Assert.Equal("us-east-1", target.IamSigningRegion);
        Assert.Equal(RoleChaining.Auto, target.BrokerUsesRoleCredentials);
        Assert.Equal(AwsTarget.DefaultDenyPolicyMaxChars, target.DenyPolicyMaxChars);
    }

    [Fact]
    public void TryParse_ChinaPartition_UsesChinaIamEndpointAndSigningRegion()
    {
        var target = AwsTarget.TryParse(Settings(new() { ["role_arn"] = "arn:aws-cn:iam::123456789012:role/r", ["region"] = "cn-north-1" }), []);

        Assert.Equal(new Uri("https://iam.cn-north-1.amazonaws.com.cn/"), target!.IamEndpoint);
        Assert.Equal("cn-north-1", target.IamSigningRegion);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:user/alice")]
    [InlineData("arn:aws:iam::12345:role/r")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData("prod-reader")]
    public void ValidateTarget_MalformedRoleArn_OneProblemOnRoleArn(string arn)
    {
        var problems = new StsCredentialProviderProbe().Validate(Settings(new() { ["role_arn"] = arn }));

        var problem = Assert.Single(problems);
        Assert.Equal("role_arn", problem.Key);
    }

    [Fact]
    public void ValidateTarget_SeveralBadKeys_OneProblemPerBadKey()
    {
        var problems = new StsCredentialProviderProbe().Validate(Settings(
            new()
            {
                ["region"] = "Europe",
                ["max_session_duration"] = "13h",
                ["external_id"] = "x",
                ["sts_endpoint"] = "not a url",
                ["broker_uses_role_credentials"] = "maybe",
                ["deny_policy_max_chars"] = "20000",
                ["role-arn"] = "typo",
            },
            new() { ["secret_key"] = new SecretReference(SecretSource.Environment, "AWS_SECRET") }));

        Assert.Equal(
            ["broker_uses_role_credentials", "deny_policy_max_chars", "external_id", "max_session_duration", "region", "role-arn", "role_arn", "secret_key", "sts_endpoint"],
            problems.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("1h", 3600)]
    [InlineData("90m", 5400)]
    [InlineData("7200", 7200)]
    [InlineData("PT12H", 43200)]
    public void TryParse_MaxSessionDurationForms_AreAccepted(string text, int seconds)
    {
        var target = AwsTarget.TryParse(Settings(new() { ["role_arn"] = "arn:aws:iam::123456789012:role/r", ["max_session_duration"] = text }), []);

        Assert.Equal(TimeSpan.FromSeconds(seconds), target!.MaxSessionDuration);
    }

    [Theory]
    [InlineData(5, 3600, false, 900)]
    [InlineData(30, 3600, false, 1800)]
    [InlineData(120, 3600, false, 3600)]
    [InlineData(180, 43200, false, 10800)]
    [InlineData(180, 43200, true, 3600)]
    [InlineData(-5, 3600, false, 900)]
    public void DurationSeconds_Wanted_ClampedTo900AndRoleMaxAndChainingCap(int minutes, int roleMaxSeconds, bool chaining, int expected)
    {
        Assert.Equal(expected, StsCredentialProvider.DurationSeconds(TimeSpan.FromMinutes(minutes), TimeSpan.FromSeconds(roleMaxSeconds), chaining));
    }

    private sealed class StsCredentialProviderProbe
    {
        public IReadOnlyList<TargetSettingProblem> Validate(TargetSettings settings)
        {
            var problems = new List<TargetSettingProblem>();
            AwsTarget.TryParse(settings, problems);
            return problems;
        }
    }
}
