using AgentAccessBroker.Policy;
using static AgentAccessBroker.Core.Tests.Policy.PolicyTestFiles;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class InlineSecretRuleTests
{
    private const string SecretValue = "Sup3r-S3cret-Value-42";

    private static string WithExtraSetting(string line) => With(Minimal, "      host: 127.0.0.1\n", $"      host: 127.0.0.1\n      {line}\n");

    [Theory]
    [InlineData("token")]
    [InlineData("client_secret")]
    [InlineData("api_key")]
    [InlineData("API_KEY")]
    [InlineData("apiKey")]
    [InlineData("clientsecret")]
    [InlineData("connection_string")]
    [InlineData("ConnectionString")]
    [InlineData("admin-password")]
    [InlineData("access_token")]
    [InlineData("credentials")]
    [InlineData("service.credential")]
    [InlineData("private_key")]
    [InlineData("secret")]
    public void Load_SecretLookingKeyWithInlineValue_ReportsInlineSecretWithoutTheValue(string key)
    {
        var yaml = WithExtraSetting($"{key}: {SecretValue}");

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, SecretValue), 7, PolicyProblemCodes.InlineSecret), (problem.Line, problem.Column, problem.Code));
        Assert.Contains($"'{key}'", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InlinePasswordReplacingReference_ReportsOnlyInlineSecret()
    {
        var yaml = With(Minimal, "password: { env: AAB_TEST_PG_PASSWORD }", $"password: \"{SecretValue}\"");

        var problem = Single(Load(yaml));

        Assert.Equal(PolicyProblemCodes.InlineSecret, problem.Code);
        Assert.DoesNotContain(SecretValue, problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("region: eu-west-1")]
    [InlineData("role_arn: arn:aws:iam::123456789012:role/x")]
    [InlineData("tenant_id: 00000000-0000-0000-0000-000000000000")]
    [InlineData("key_vault_name: billing-kv")]
    [InlineData("token_url: https://login.example.com/token")]
    [InlineData("monkey_count: 3")]
    public void Load_OrdinaryKeyWithInlineValue_IsAccepted(string setting)
    {
        Assert.Empty(Load(WithExtraSetting(setting)).Problems);
    }

    [Theory]
    [InlineData("client_secret: { env: AAB_CLIENT_SECRET }")]
    [InlineData("client_secret: { file: /run/secrets/client-secret }")]
    public void Load_SecretLookingKeyByReference_IsAccepted(string setting)
    {
        Assert.Empty(Load(WithExtraSetting(setting)).Problems);
    }
}
