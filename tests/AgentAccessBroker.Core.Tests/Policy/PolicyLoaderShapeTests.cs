using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using static AgentAccessBroker.Core.Tests.Policy.PolicyTestFiles;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class PolicyLoaderShapeTests
{
    [Fact]
    public void Load_MinimalPolicy_BuildsModelWithDefaults()
    {
        var result = Load(Minimal);

        Assert.Empty(result.Problems);
        var policy = result.Policy!;
        Assert.Equal("test.yaml", policy.Source);
        Assert.Equal(4, policy.Sensitivities.Count);
        Assert.All(Enum.GetValues<Sensitivity>(), level => Assert.Equal(SensitivityRules.Defaults[level], policy.RulesFor(level)));
        Assert.Equal(EscalationRules.Default, policy.Escalation);
        var rule = Assert.Single(policy.Rules);
        Assert.Equal(new HardRule("no-prod-deletes", HardRuleEffect.Deny, null, "prod", null, ActionClass.Destructive, null, null), rule);
        Assert.Equal("U0BOB", policy.FindApproverGroup("platform")!.FindById("bob")!.IdentityOn("slack"));
        Assert.Equal(["app-db"], policy.FindAgent("billing-bot")!.AllowedTargets);
        Assert.Equal(string.Empty, policy.FindTarget("app-db")!.Description);
    }

    [Fact]
    public void Load_PartialSensitivityLevel_FillsOmittedKeysFromThatLevelsDefaults()
    {
        var yaml = Minimal.Replace("version: 1\n", "version: 1\nsensitivities:\n  high: { deny_at: 60, quorum: 2 }\nescalation: { total_denials: 5 }\n", StringComparison.Ordinal);

        var policy = Load(yaml).Policy!;

        var high = policy.RulesFor(Sensitivity.High);
        Assert.Equal(SensitivityRules.Defaults[Sensitivity.High] with { DenyAtOrAbove = 60, Quorum = 2 }, high);
        Assert.Equal(SensitivityRules.Defaults[Sensitivity.Low], policy.RulesFor(Sensitivity.Low));
        Assert.Equal(new EscalationRules(3, 5), policy.Escalation);
    }

    [Fact]
    public void Load_RuleWithEveryCondition_ReadsEachCondition()
    {
        var yaml = With(
            Minimal,
            "when: { environment: prod, min_action_class: destructive }",
            "when: { environment: prod, min_action_class: privilege_change, min_sensitivity: critical, target: app-db, data_tag: pii, agent: billing-bot }");

        var rule = Assert.Single(Load(yaml).Policy!.Rules);

        Assert.Equal(new HardRule("no-prod-deletes", HardRuleEffect.Deny, "app-db", "prod", Sensitivity.Critical, ActionClass.PrivilegeChange, "pii", "billing-bot"), rule);
    }

    [Fact]
    public void Load_BrokenYaml_ReportsYamlSyntaxWithLocationAndNoPolicy()
    {
        var yaml = With(Minimal, "    owner: alice", "    owner: [alice");

        var problem = Single(Load(yaml));

        Assert.Equal(PolicyProblemCodes.YamlSyntax, problem.Code);
        Assert.True(problem.Line >= LineOf(yaml, "owner: [alice"), problem.ToString());
        Assert.DoesNotContain("(Line:", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EmptyText_ReportsDocumentShape()
    {
        Assert.Equal(PolicyProblemCodes.DocumentShape, Single(Load("# nothing but a comment\n")).Code);
    }

    [Fact]
    public void Load_TwoDocuments_ReportsDocumentShapeAtTheSecond()
    {
        var problem = Single(Load(Minimal + "\n---\nversion: 1\n"));

        Assert.Equal(PolicyProblemCodes.DocumentShape, problem.Code);
        Assert.Equal(LineOf(Minimal + "\n---\n", "---"), problem.Line);
    }

    [Fact]
    public void Load_RootIsAList_ReportsWrongType()
    {
        Assert.Equal(PolicyProblemCodes.WrongType, Single(Load("- version: 1\n")).Code);
    }

    [Theory]
    [InlineData("version: 1\n", "version: 1\nsensitivites: {}\n", "sensitivites")]
    [InlineData("    owner: alice\n", "    owner: alice\n    ownr: bob\n", "ownr")]
    [InlineData("      - { id: carol }", "      - { id: carol, slack: U0C }", "slack")]
    [InlineData("    effect: deny\n", "    effect: deny\n    when_not: {}\n", "when_not")]
    [InlineData("min_action_class: destructive }", "min_action_class: destructive, env: x }", "env")]
    [InlineData("        environment: dev\n", "        environment: dev\n        sensitive: true\n", "sensitive")]
    [InlineData("    approvers: platform\n", "    approver: platform\n    approvers: platform\n", "approver")]
    [InlineData("password: { env: AAB_TEST_PG_PASSWORD }", "password: { env: AAB_TEST_PG_PASSWORD, fallback: x }", "fallback")]
    public void Load_UnknownKeyAnywhere_ReportsUnknownKeyAtTheKey(string oldText, string newText, string key)
    {
        var yaml = With(Minimal, oldText, newText);

        var problem = Single(Load(yaml));

        Assert.Equal(PolicyProblemCodes.UnknownKey, problem.Code);
        Assert.Equal(LineOf(yaml, key + ":"), problem.Line);
        Assert.Contains($"'{key}'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKeyInSensitivityLevel_ReportsColumnAndSuggestion()
    {
        var yaml = Minimal.Replace("version: 1\n", "version: 1\nsensitivities:\n  low:\n    grant_belo: 40\n", StringComparison.Ordinal);

        var problem = Single(Load(yaml));

        Assert.Equal((PolicyProblemCodes.UnknownKey, 4, 5), (problem.Code, problem.Line, problem.Column));
        Assert.Contains("did you mean 'grant_below'?", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    owner: alice\n", "id")]
    [InlineData("    connector: postgresql\n", "connector")]
    [InlineData("    approvers: platform\n", "approvers")]
    [InlineData("        sensitivity: medium\n", "sensitivity")]
    [InlineData("    effect: deny\n", "effect")]
    public void Load_RequiredKeyMissing_ReportsMissingKeyOnItsMapping(string removedLine, string key)
    {
        var yaml = key == "id"
            ? With(Minimal, "  - id: billing-bot\n    owner: alice\n", "  - owner: alice\n")
            : With(Minimal, removedLine, string.Empty);

        var problem = Single(Load(yaml));

        Assert.Equal(PolicyProblemCodes.MissingKey, problem.Code);
        Assert.Contains($"'{key}'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingVersion_ReportsMissingKeyAndUnsupportedVersionIsSeparate()
    {
        Assert.Equal(PolicyProblemCodes.MissingKey, Single(Load(With(Minimal, "version: 1\n", string.Empty))).Code);
        Assert.Equal(PolicyProblemCodes.UnsupportedVersion, Single(Load(With(Minimal, "version: 1\n", "version: 2\n"))).Code);
    }

    [Fact]
    public void Load_DuplicateKey_ReportsDuplicateKeyAndKeepsLoadingTheRest()
    {
        var yaml = With(Minimal, "    owner: alice\n", "    owner: alice\n    owner: carol\n    typo: 1\n");

        var result = Load(yaml);

        Assert.Equal(
            [(LineOf(yaml, "owner: carol"), PolicyProblemCodes.DuplicateKey), (LineOf(yaml, "typo: 1"), PolicyProblemCodes.UnknownKey)],
            result.Problems.Select(p => (p.Line, p.Code)));
    }

    [Theory]
    [InlineData("    owner: alice\n", "    owner:\n", PolicyProblemCodes.EmptyValue)]
    [InlineData("    owner: alice\n", "    owner: [alice]\n", PolicyProblemCodes.WrongType)]
    [InlineData("    targets: [app-db]\n", "    targets: app-db\n", PolicyProblemCodes.WrongType)]
    [InlineData("        sensitivity: medium\n", "        sensitivity: secret\n", PolicyProblemCodes.InvalidSensitivity)]
    [InlineData("min_action_class: destructive", "min_action_class: delete", PolicyProblemCodes.InvalidActionClass)]
    [InlineData("    effect: deny\n", "    effect: allow\n", PolicyProblemCodes.InvalidEffect)]
    [InlineData("      host: 127.0.0.1\n", "      host: [a, b]\n", PolicyProblemCodes.WrongType)]
    [InlineData("      host: 127.0.0.1\n", "      host:\n", PolicyProblemCodes.EmptyValue)]
    [InlineData("{ env: AAB_TEST_PG_PASSWORD }", "{ env: A, file: /b }", PolicyProblemCodes.InvalidSecretReference)]
    [InlineData("{ env: AAB_TEST_PG_PASSWORD }", "{ env: \"\" }", PolicyProblemCodes.EmptyValue)]
    [InlineData("        environment: dev\n", "        environment: \"\"\n", PolicyProblemCodes.EmptyValue)]
    [InlineData("      - name: \"app.public.*\"\n", "      - name: \"\"\n", PolicyProblemCodes.EmptyValue)]
    public void Load_MistypedValue_ReportsOneProblemWithItsCode(string oldText, string newText, string code)
    {
        var yaml = With(Minimal, oldText, newText);

        var problem = Single(Load(yaml));

        Assert.Equal(code, problem.Code);
        Assert.Equal(LineOf(yaml, newText.Trim().Split('\n')[0]), problem.Line);
    }

    [Fact]
    public void Load_InvalidSensitivity_ListsTheLevelsInOrder()
    {
        var problem = Single(Load(With(Minimal, "sensitivity: medium", "sensitivity: Medium")));

        Assert.Equal("'targets[0].resources[0].sensitivity' must be one of low, medium, high, critical, not 'Medium'", problem.Message);
    }

    [Fact]
    public void Load_NonIntegerThreshold_ReportsInvalidInteger()
    {
        var yaml = Minimal.Replace("version: 1\n", "version: 1\nsensitivities:\n  low: { grant_below: fifty }\n", StringComparison.Ordinal);

        var problem = Single(Load(yaml));

        Assert.Equal((PolicyProblemCodes.InvalidInteger, 3), (problem.Code, problem.Line));
    }

    [Theory]
    [InlineData("30")]
    [InlineData("30 minutes")]
    [InlineData("1m1h")]
    [InlineData("PT30M")]
    public void Load_UnparsableDuration_ReportsInvalidDuration(string duration)
    {
        var yaml = Minimal.Replace("version: 1\n", $"version: 1\nsensitivities:\n  low: {{ max_duration: {duration} }}\n", StringComparison.Ordinal);

        var problem = Single(Load(yaml));

        Assert.Equal((PolicyProblemCodes.InvalidDuration, 3), (problem.Code, problem.Line));
    }

    [Fact]
    public void Load_AnchorsAndAliases_AreResolved()
    {
        var yaml = Minimal
            .Replace("version: 1\n", "version: 1\nsensitivities:\n  low: &same { grant_below: 10, deny_at: 60 }\n  medium: *same\n", StringComparison.Ordinal);

        var policy = Load(yaml).Policy!;

        Assert.Equal(60, policy.RulesFor(Sensitivity.Medium).DenyAtOrAbove);
        Assert.Equal(10, policy.RulesFor(Sensitivity.Low).GrantBelow);
    }

    [Fact]
    public void Load_ManyMistakes_ReportsEveryOneSortedByLine()
    {
        var yaml = With(Minimal, "    owner: alice\n", "    ownr: alice\n");
        yaml = With(yaml, "    effect: deny\n", "    effect: block\n");
        yaml = With(yaml, "    approvers: platform\n", "    approvers: platfrom\n");
        yaml = With(yaml, "        sensitivity: medium\n", "        sensitivity: mediun\n");

        var result = Load(yaml);

        Assert.Equal(
            [
                (LineOf(yaml, "- id: billing-bot"), PolicyProblemCodes.MissingKey),
                (LineOf(yaml, "ownr"), PolicyProblemCodes.UnknownKey),
                (LineOf(yaml, "effect: block"), PolicyProblemCodes.InvalidEffect),
                (LineOf(yaml, "approvers: platfrom"), PolicyProblemCodes.UnknownApproverGroup),
                (LineOf(yaml, "sensitivity: mediun"), PolicyProblemCodes.InvalidSensitivity),
            ],
            result.Problems.Select(p => (p.Line, p.Code)));
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsUnreadableFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"aab-missing-{Guid.NewGuid():N}.yaml");

        var problem = Single(PolicyLoader.LoadFile(path, KnownConnectors));

        Assert.Equal((path, PolicyProblemCodes.UnreadableFile), (problem.File, problem.Code));
    }

    [Fact]
    public void ToString_Problem_IsCompilerStyle()
    {
        var problem = new PolicyProblem("policy.yaml", 12, 7, PolicyProblemCodes.UnknownKey, "unknown key 'x'");

        Assert.Equal("policy.yaml:12:7: error unknown_key: unknown key 'x'", problem.ToString());
    }
}
