using AgentAccessBroker.Policy;
using static AgentAccessBroker.Core.Tests.Policy.PolicyTestFiles;

namespace AgentAccessBroker.Core.Tests.Policy;

/// <summary>One or more tests per rule: each breaks the minimal valid policy in one way and expects exactly that problem.</summary>
public sealed class PolicyRuleTests
{
    private static string WithSensitivities(string block) =>
        Minimal.Replace("version: 1\n", $"version: 1\nsensitivities:\n{block}", StringComparison.Ordinal);

    private static (int Line, int Column, string Code) Where(PolicyProblem problem) => (problem.Line, problem.Column, problem.Code);

    [Fact]
    public void ThresholdRule_ThresholdOutside0To100_ReportsOutOfRangeForEach()
    {
        var yaml = WithSensitivities("  low: { grant_below: -1, deny_at: 101 }\n");

        var result = Load(yaml);

        Assert.Equal([(3, 23, PolicyProblemCodes.OutOfRange), (3, 36, PolicyProblemCodes.OutOfRange)], result.Problems.Select(Where));
    }

    [Fact]
    public void ThresholdRule_GrantBelowNotLowerThanDenyAt_ReportsThresholdOrder()
    {
        var yaml = WithSensitivities("  medium:\n    deny_at: 85\n    grant_below: 85\n");

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, "grant_below: 85"), 18, PolicyProblemCodes.ThresholdOrder), Where(problem));
        Assert.Contains("grant_below (85) must be lower than deny_at (85)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ThresholdRule_OnlyDenyAtWritten_BlamesTheWrittenValueNotTheDefault()
    {
        // medium's default grant_below is 35.
        var yaml = WithSensitivities("  medium:\n    quorum: 1\n    deny_at: 30\n");

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, "deny_at: 30"), PolicyProblemCodes.ThresholdOrder), (problem.Line, problem.Code));
    }

    [Fact]
    public void SensitivityDurationRule_NormalLongerThanMax_ReportsDurationOrder()
    {
        var yaml = WithSensitivities("  high: { normal_duration: 2h, max_duration: 1h30m }\n");

        var problem = Single(Load(yaml));

        Assert.Equal((3, 28, PolicyProblemCodes.DurationOrder), Where(problem));
        Assert.Contains("normal_duration (2h) must not exceed max_duration (1h30m)", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("normal_duration: 0s")]
    [InlineData("max_duration: 0m")]
    [InlineData("approval_timeout: 0h")]
    public void SensitivityDurationRule_ZeroDuration_ReportsInvalidDuration(string entry)
    {
        var yaml = WithSensitivities($"  low: {{ {entry} }}\n");

        var problem = Single(Load(yaml));

        Assert.Equal((3, PolicyProblemCodes.InvalidDuration), (problem.Line, problem.Code));
    }

    [Fact]
    public void QuorumRule_QuorumZero_ReportsOutOfRange()
    {
        var yaml = WithSensitivities("  low: { quorum: 0 }\n");

        Assert.Equal((3, 18, PolicyProblemCodes.OutOfRange), Where(Single(Load(yaml))));
    }

    [Fact]
    public void EscalationRule_CountBelowOne_ReportsOutOfRange()
    {
        var yaml = Minimal.Replace("version: 1\n", "version: 1\nescalation: { consecutive_denials: 0 }\n", StringComparison.Ordinal);

        Assert.Equal((2, 36, PolicyProblemCodes.OutOfRange), Where(Single(Load(yaml))));
    }

    [Fact]
    public void EscalationRule_ConsecutiveAboveTotal_ReportsEscalationOrder()
    {
        var yaml = Minimal.Replace("version: 1\n", "version: 1\nescalation:\n  consecutive_denials: 30\n  total_denials: 20\n", StringComparison.Ordinal);

        Assert.Equal((3, 24, PolicyProblemCodes.EscalationOrder), Where(Single(Load(yaml))));
    }

    [Theory]
    [InlineData("  - id: billing-bot\n", "  - id: billing-bot\n    owner: alice\n  - id: billing-bot\n", "- id: billing-bot", "agent id 'billing-bot'")]
    [InlineData("  - name: platform\n", "  - name: platform\n    members: [{ id: dave }]\n  - name: platform\n", "- name: platform", "approver group 'platform'")]
    [InlineData("      - { id: carol }\n", "      - { id: carol }\n      - { id: bob }\n", "{ id: bob, slack_user", "approver in group 'platform' 'bob'")]
    [InlineData("  - name: no-prod-deletes\n", "  - name: no-prod-deletes\n    effect: deny\n    when: { data_tag: secrets }\n  - name: no-prod-deletes\n", "- name: no-prod-deletes", "rule 'no-prod-deletes'")]
    [InlineData("        environment: dev", "        environment: dev\n      - name: \"app.public.*\"\n        sensitivity: low\n        environment: dev", "- name: \"app.public.*\"", "resource in target 'app-db' 'app.public.*'")]
    public void UniqueNameRule_NameDeclaredTwice_ReportsDuplicateNameOnTheSecond(string oldText, string newText, string firstMarker, string expectedMessage)
    {
        var yaml = With(Minimal, oldText, newText);

        var problem = Single(Load(yaml));

        Assert.Equal(PolicyProblemCodes.DuplicateName, problem.Code);
        Assert.StartsWith(expectedMessage, problem.Message, StringComparison.Ordinal);
        var firstLine = LineOf(yaml, firstMarker);
        Assert.True(problem.Line > firstLine, problem.ToString());
        Assert.Contains($"already declared on line {firstLine}", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UniqueNameRule_TargetDeclaredTwice_ReportsDuplicateName()
    {
        var secondTarget = Minimal[Minimal.IndexOf("  - name: app-db", StringComparison.Ordinal)..];
        var yaml = Minimal + "\n" + secondTarget;

        var problem = Single(Load(yaml));

        Assert.Equal(PolicyProblemCodes.DuplicateName, problem.Code);
        Assert.StartsWith("target 'app-db'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApproverGroupReferenceRule_UnknownGroup_ReportsAtTheApproversValue()
    {
        var yaml = With(Minimal, "approvers: platform", "approvers: security");

        Assert.Equal((LineOf(yaml, "approvers: security"), 16, PolicyProblemCodes.UnknownApproverGroup), Where(Single(Load(yaml))));
    }

    [Fact]
    public void TargetReferenceRule_AgentListsUnknownTarget_ReportsUnknownTarget()
    {
        var yaml = With(Minimal, "targets: [app-db]", "targets: [app-db, crm]");

        Assert.Equal((LineOf(yaml, "[app-db, crm]"), 23, PolicyProblemCodes.UnknownTarget), Where(Single(Load(yaml))));
    }

    [Fact]
    public void TargetReferenceRule_RuleNamesUnknownTarget_ReportsUnknownTarget()
    {
        var yaml = With(Minimal, "when: { environment: prod,", "when: { target: app-dbb, environment: prod,");

        Assert.Equal(PolicyProblemCodes.UnknownTarget, Single(Load(yaml)).Code);
    }

    [Fact]
    public void AgentReferenceRule_RuleNamesUnknownAgent_ReportsUnknownAgent()
    {
        var yaml = With(Minimal, "when: { environment: prod,", "when: { agent: biling-bot, environment: prod,");

        var problem = Single(Load(yaml));

        Assert.Equal(PolicyProblemCodes.UnknownAgent, problem.Code);
        Assert.Contains("'biling-bot'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("when: {}")]
    [InlineData("when:")]
    [InlineData("when: { environment: }")]
    public void RuleConditionRule_NoCondition_ReportsEmptyCondition(string when)
    {
        var yaml = With(Minimal, "when: { environment: prod, min_action_class: destructive }", when);

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, when), PolicyProblemCodes.EmptyCondition), (problem.Line, problem.Code));
    }

    [Fact]
    public void ResourceCatalogueRule_NoResources_ReportsEmptyResources()
    {
        var yaml = With(Minimal, "    resources:\n      - name: \"app.public.*\"\n        sensitivity: medium\n        environment: dev", "    resources: []");

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, "- name: app-db"), PolicyProblemCodes.EmptyResources), (problem.Line, problem.Code));
    }

    [Fact]
    public void ApproverGroupMembersRule_NoMembers_ReportsEmptyGroup()
    {
        var yaml = With(Minimal, "    members:\n      - { id: bob, slack_user: U0BOB }\n      - { id: carol }\n", "    members: []\n");

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, "- name: platform"), PolicyProblemCodes.EmptyGroup), (problem.Line, problem.Code));
    }

    [Fact]
    public void QuorumReachableRule_CriticalResourceAndTooSmallGroup_ReportsQuorumUnreachable()
    {
        var yaml = With(Minimal, "      - { id: carol }\n", string.Empty);
        yaml = With(yaml, "sensitivity: medium", "sensitivity: critical");

        var problem = Single(Load(yaml));

        Assert.Equal((LineOf(yaml, "approvers: platform"), PolicyProblemCodes.QuorumUnreachable), (problem.Line, problem.Code));
        Assert.Contains("need 2 approvers, but group 'platform' has 1", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuorumReachableRule_CriticalResourceAndTwoApprovers_IsValid()
    {
        var yaml = With(Minimal, "sensitivity: medium", "sensitivity: critical");

        Assert.Empty(Load(yaml).Problems);
    }
}
