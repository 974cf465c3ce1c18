using System.Text.Json;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class SessionPolicyTests
{
    [Fact]
    public void Build_ActionsAndResources_OneAllowOfExactlyThoseActionsAndResources()
    {
        var document = SessionPolicy.Build(["s3:GetObject", "s3:ListBucket", "s3:GetObject"], ["arn:aws:s3:::reports", "arn:aws:s3:::reports/2026/*"]);

        using var json = JsonDocument.Parse(document);
        var statement = Assert.Single(json.RootElement.GetProperty("Statement").EnumerateArray());
        Assert.Equal("2012-10-17", json.RootElement.GetProperty("Version").GetString());
        Assert.Equal("Allow", statement.GetProperty("Effect").GetString());
        Assert.Equal(["s3:GetObject", "s3:ListBucket"], statement.GetProperty("Action").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["arn:aws:s3:::reports", "arn:aws:s3:::reports/2026/*"], statement.GetProperty("Resource").EnumerateArray().Select(a => a.GetString()));
        Assert.False(statement.TryGetProperty("NotAction", out _));
        Assert.False(statement.TryGetProperty("Condition", out _));
    }

    [Fact]
    public void Build_OverThePlaintextLimit_ThrowsSessionPolicyTooLargeSayingHowToNarrow()
    {
        var resources = Enumerable.Range(0, 60).Select(i => $"arn:aws:s3:::reports/2026/customer-{i:D4}/summary.csv").ToArray();

        var error = Assert.Throws<CredentialRequestException>(() => SessionPolicy.Build(["s3:GetObject"], resources));

        Assert.Equal("session_policy_too_large", error.Code);
        Assert.Contains("2,048", error.Message, StringComparison.Ordinal);
        Assert.Contains("fewer actions or resources", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_JustUnderTheLimit_Succeeds()
    {
        var prefix = "arn:aws:s3:::b/";
        var overhead = SessionPolicy.Build(["s3:GetObject"], [prefix]).Length;
        var resource = prefix + new string('k', SessionPolicy.MaxPlaintextChars - overhead);

        var document = SessionPolicy.Build(["s3:GetObject"], [resource]);

        Assert.Equal(SessionPolicy.MaxPlaintextChars, document.Length);
    }

    [Theory]
    [InlineData("GetObject")]
    [InlineData("s3:Get Object")]
    [InlineData("s3:GetObject\"],\"Resource\":\"*")]
    public void Build_NotAnIamAction_ThrowsInvalidAction(string action)
    {
        var error = Assert.Throws<CredentialRequestException>(() => SessionPolicy.Build([action], ["arn:aws:s3:::b/k"]));

        Assert.Equal("invalid_action", error.Code);
    }

    [Fact]
    public void Build_ResourceNotAnArn_ThrowsInvalidResource()
    {
        var error = Assert.Throws<CredentialRequestException>(() => SessionPolicy.Build(["s3:GetObject"], ["reports/2026"]));

        Assert.Equal("invalid_resource", error.Code);
    }

    [Fact]
    public void Build_ResourceBeyondLatin1_ThrowsInvalidResource()
    {
        var error = Assert.Throws<CredentialRequestException>(() => SessionPolicy.Build(["s3:GetObject"], ["arn:aws:s3:::b/€uro"]));

        Assert.Equal("invalid_resource", error.Code);
    }

    [Fact]
    public void Build_NoActions_ThrowsSessionPolicyEmpty()
    {
        Assert.Equal("session_policy_empty", Assert.Throws<CredentialRequestException>(() => SessionPolicy.Build([], ["arn:aws:s3:::b"])).Code);
    }
}
