using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Scoring;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis;

/// <summary>
/// Scores an access request from its actions, resources, duration and stated purpose, the task the human declared,
/// the policy's resource catalogue and the agent's behaviour history, and decides grant, require approval or deny.
/// </summary>
/// <remarks>
/// Security contract:
/// <list type="bullet">
/// <item>Pure and deterministic: no I/O, no clock (time is <see cref="AssessmentInput.Now"/>), the same input always
/// gives the same assessment. History is read as bounded aggregates, so the cost does not grow with history length.</item>
/// <item>Hard rules override the score: a deny rule wins over everything, a require-approval rule over a grant.</item>
/// <item>A resource outside the catalogue, an agent the policy does not allow on the target, or a request without
/// actions or resources is denied.</item>
/// <item>The purpose is untrusted: it can add risk, never remove it. An instruction aimed at the broker is denied.</item>
/// <item>After the policy's escalation limit of denials in a task, nothing in that task is granted automatically.</item>
/// <item>A suggested narrower request is offered only after the same function granted it.</item>
/// </list>
/// </remarks>
public sealed class IntentAnalyzer : IRequestAssessor
{
    /// <summary>Recorded in <see cref="Assessment.Analyzer"/> and so in the audit trail.</summary>
    public const string Name = "intent-analyzer/1";

    // Used when a policy lacks a sensitivity level: nothing is granted automatically and nothing denied by score.
    private static readonly SensitivityRules Missing = new(0, 101, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15), 2, TimeSpan.FromMinutes(30));

    public Assessment Assess(AssessmentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Evaluate(input, suggest: true);
    }

    /// <summary>True when repeated denials have handed the task to a human (policy escalation limits, or already so).</summary>
    public static bool IsHumanReviewMode(TaskHistory task, EscalationRules escalation)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(escalation);
        return task.HumanReviewMode
               || (escalation.ConsecutiveDenials > 0 && task.ConsecutiveDenials >= escalation.ConsecutiveDenials)
               || (escalation.TotalDenials > 0 && task.Denials >= escalation.TotalDenials);
    }

    /// <param name="sameText">Facts of the request a narrower candidate was derived from (same purpose and task).</param>
    private Assessment Evaluate(AssessmentInput input, bool suggest, RequestFacts? sameText = null)
    {
        var facts = RequestFacts.Of(input, sameText);
        var sensitivity = facts.MaxSensitivity;
        var reasons = new List<string>(4);
        if (!input.Policy.Sensitivities.TryGetValue(sensitivity, out var rules))
        {
            rules = Missing;
            reasons.Add($"the policy sets no thresholds for {Words.Of(sensitivity)} resources, so nothing is granted automatically");
        }

        var sheet = new ScoreSheet(input, facts);
        RequestFactors.Score(sheet, rules);
        PurposeFactors.Score(sheet);
        HistoryFactors.Score(sheet);
        HistoryFactors.Routine(sheet);
        ProductionChanges.Review(sheet);
        var score = sheet.Total;

        var decision = Threshold(score, rules, sensitivity, reasons);
        reasons.AddRange(sheet.Notes);

        // Points add up: an on-task change to a critical resource can pass the deny limit from sensitivity, production
        // and data tags alone. Without a sign that the request does not fit its task, a human decides instead.
        if (decision == DecisionKind.Deny && OnTask(sheet, facts))
        {
            decision = DecisionKind.RequireApproval;
            reasons.Add("the request stays inside its task with no sign of misalignment (nothing out of scope, no injection, evasion, chain, earlier denial or environment mismatch): a high score alone sends it to a human, not to a denial");
        }

        if (Structural(input, facts) is { Count: > 0 } structural)
        {
            decision = DecisionKind.Deny;
            reasons.AddRange(structural);
        }

        if (sheet.Floor != DecisionKind.Grant)
        {
            decision = Max(decision, sheet.Floor);
            reasons.AddRange(sheet.FloorReasons);
        }

        var (denyRule, approvalRule) = HardRules.Match(input, facts);
        if (denyRule is not null)
        {
            decision = DecisionKind.Deny;
            reasons.Add($"policy rule '{denyRule.Name}' always denies {HardRules.Describe(denyRule)}");
        }
        else if (approvalRule is not null && decision != DecisionKind.Deny)
        {
            decision = DecisionKind.RequireApproval;
            reasons.Add($"policy rule '{approvalRule.Name}' requires a human for {HardRules.Describe(approvalRule)}");
        }

        var task = input.History.Task;
        var humanReview = IsHumanReviewMode(task, input.Policy.Escalation);
        if (humanReview)
        {
            decision = Max(decision, DecisionKind.RequireApproval);
            reasons.Add(HumanReviewReason(task, input.Policy.Escalation));
        }

        var granted = GrantedDuration(input.Request.RequestedDuration, rules, sensitivity, reasons);

        // No narrower request can be granted while the purpose forces caution, the task is in human-review mode, or the
        // agent itself is refused: searching would only cost time.
        var searchable = suggest && decision != DecisionKind.Grant && sheet.Floor == DecisionKind.Grant && !humanReview && AgentMayAsk(input)
                         && (denyRule is null || HardRules.DependsOnResources(denyRule));
        var narrower = searchable ? NarrowerRequestFinder.Find(input, facts, candidate => Evaluate(candidate, suggest: false, facts)) : null;

        return new Assessment(score, decision, [.. sheet.Factors], reasons, granted, Math.Max(1, rules.Quorum), humanReview, narrower, Name);
    }

    /// <summary>
    /// No factor says the request does not fit its task, it asks for neither every action nor the destruction of a whole
    /// store, and the task itself asks for the kind of change requested: deleting needs a task that changes something,
    /// a permission change a task that speaks of permissions, identities or network rules.
    /// </summary>
    private static bool OnTask(ScoreSheet sheet, RequestFacts facts)
    {
        if (facts.TopClass == ActionClass.Wildcard || facts.Traits.HasFlag(Actions.ActionTraits.DestroysStore) || sheet.HasAny(FactorCodes.Misalignment))
        {
            return false;
        }

        var task = facts.Task.Terms;
        if (facts.TopClass >= ActionClass.Destructive && (task.Intents & (Text.VerbIntent.Write | Text.VerbIntent.Delete | Text.VerbIntent.Permission)) == 0)
        {
            return false;
        }

        return facts.TopClass != ActionClass.PrivilegeChange || (task.Intents & Text.VerbIntent.Permission) != 0
               || task.All.Contains("identity") || task.All.Contains("permission") || task.All.Contains("network");
    }

    private static DecisionKind Threshold(int score, SensitivityRules rules, Sensitivity sensitivity, List<string> reasons)
    {
        var level = Words.Of(sensitivity);
        if (score >= rules.DenyAtOrAbove)
        {
            reasons.Add($"score {score} reaches the deny limit {rules.DenyAtOrAbove} for {level} resources");
            return DecisionKind.Deny;
        }

        if (score >= rules.GrantBelow)
        {
            reasons.Add($"score {score} is at or above the automatic-grant limit {rules.GrantBelow} for {level} resources (deny from {rules.DenyAtOrAbove}): a human decides");
            return DecisionKind.RequireApproval;
        }

        reasons.Add($"score {score} is below the automatic-grant limit {rules.GrantBelow} for {level} resources");
        return DecisionKind.Grant;
    }

    private static List<string>? Structural(AssessmentInput input, RequestFacts facts)
    {
        List<string>? reasons = null;
        var request = input.Request;
        if (request.Resources.Count == 0)
        {
            (reasons ??= []).Add("the request names no resource");
        }

        if (request.Actions.Count == 0)
        {
            (reasons ??= []).Add("the request names no action");
        }

        foreach (var r in facts.Resources)
        {
            if (r.Catalogue is null)
            {
                (reasons ??= []).Add($"{r.Name} is not in the resource catalogue of target {request.Target}");
            }
        }

        if (input.Agent is null && input.Policy.Agents.Count > 0)
        {
            (reasons ??= []).Add($"agent {request.AgentId} is not declared in the policy");
        }
        else if (input.Agent is { } agent && !agent.MayUse(request.Target))
        {
            (reasons ??= []).Add($"agent {request.AgentId} may not use target {request.Target}");
        }

        return reasons;
    }

    private static bool AgentMayAsk(AssessmentInput input) =>
        input.Agent is { } agent ? agent.MayUse(input.Request.Target) : input.Policy.Agents.Count == 0;

    private static string HumanReviewReason(TaskHistory task, EscalationRules escalation)
    {
        var why = escalation.ConsecutiveDenials > 0 && task.ConsecutiveDenials >= escalation.ConsecutiveDenials
            ? $"{task.ConsecutiveDenials} denials in a row"
            : escalation.TotalDenials > 0 && task.Denials >= escalation.TotalDenials
                ? $"{task.Denials} denials"
                : "earlier denials";
        return $"this task is in human-review mode after {why}: nothing more is granted automatically in it, a human decides every further request";
    }

    private static TimeSpan GrantedDuration(TimeSpan requested, SensitivityRules rules, Sensitivity sensitivity, List<string> reasons)
    {
        if (requested <= TimeSpan.Zero)
        {
            return rules.NormalDuration;
        }

        if (rules.MaxDuration > TimeSpan.Zero && requested > rules.MaxDuration)
        {
            reasons.Add($"the duration is capped at {Words.Of(rules.MaxDuration)}, the maximum for {Words.Of(sensitivity)} resources");
            return rules.MaxDuration;
        }

        return requested;
    }

    private static DecisionKind Max(DecisionKind a, DecisionKind b) => a >= b ? a : b;
}
