using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class BadPolicyExampleTests
{
    [Fact]
    public void LoadFile_BadPolicyExample_ReportsAllThreeMistakesOnTheirLines()
    {
        var path = PolicyTestFiles.RepositoryFile("infra/policy/bad-policy-example.yaml");

        var result = PolicyLoader.LoadFile(path, PolicyTestFiles.KnownConnectors);

        Assert.Null(result.Policy);
        Assert.Equal(
            [
                (13, 5, PolicyProblemCodes.UnknownKey),
                (31, 16, PolicyProblemCodes.UnknownApproverGroup),
                (37, 7, PolicyProblemCodes.InlineSecret),
            ],
            result.Problems.Select(p => (p.Line, p.Column, p.Code)));
        Assert.All(result.Problems, p => Assert.Equal(path, p.File));
        Assert.Contains("did you mean 'grant_below'", result.Problems[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", string.Join('\n', result.Problems), StringComparison.Ordinal);
    }
}
