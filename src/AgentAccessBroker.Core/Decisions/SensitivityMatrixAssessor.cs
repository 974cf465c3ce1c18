using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Decisions;

/// <summary>
/// The baseline rule set: sensitivity × action class gives the decision, hard rules override it, and repeated denials
/// hand the task to a human. Deterministic and explainable; the intent analyzer refines it with purpose and history.
/// </summary>
public sealed class SensitivityMatrixAssessor : IRequestAssessor, IRequestTraits
{
    public const string Name = "sensitivity-matrix/1";

    public Assessment Assess(AssessmentInput input)
    {
        var factors = new List<RiskFactor>();
        var reasons = new List<string>();
        var request = input.Request;
        var policy = input.Policy;

        var unknown = input.Resources.Where(r => r.Catalogue is null).Select(r => r.Name).ToList();
        var sensitivity = input.Resources.Where(r => r.Catalogue is not null).Select(r => r.Catalogue!.Sensitivity).DefaultIfEmpty(Sensitivity.Critical).Max();
        var rules = policy.RulesFor(sensitivity);
        var duration = request.RequestedDuration > rules.MaxDuration ? rules.MaxDuration : request.RequestedDuration;
        var actionClass = Describe(input.Target.Connector, request).ActionClasses.DefaultIfEmpty(ActionClass.Wildcard).Max();

        var sensitivityPoints = (int)sensitivity * 15;
        var actionPoints = (int)actionClass * 15;
        factors.Add(new RiskFactor("sensitivity", sensitivityPoints, $"{sensitivity.ToString().ToLowerInvariant()} sensitivity resource"));
        factors.Add(new RiskFactor("action_class", actionPoints, $"{Describe(actionClass)} access"));
        var score = Math.Clamp(sensitivityPoints + actionPoints, 0, 100);

        var decision = score < rules.GrantBelow ? DecisionKind.Grant : score >= rules.DenyAtOrAbove ? DecisionKind.Deny : DecisionKind.RequireApproval;
        reasons.Add(decision switch
        {
            DecisionKind.Grant => $"score {score} is below the automatic-grant threshold {rules.GrantBelow} for {sensitivity.ToString().ToLowerInvariant()} resources",
            DecisionKind.Deny => $"score {score} reaches the deny threshold {rules.DenyAtOrAbove} for {sensitivity.ToString().ToLowerInvariant()} resources",
            _ => $"score {score} needs a human decision for {sensitivity.ToString().ToLowerInvariant()} resources (automatic below {rules.GrantBelow})",
        });

        if (unknown.Count > 0)
        {
            decision = DecisionKind.Deny;
            reasons.Add($"not in the policy's resource catalogue for target '{input.Target.Name}': {string.Join(", ", unknown)}");
        }

        foreach (var rule in policy.Rules.Where(r => Applies(r, input, sensitivity, actionClass)))
        {
            if (rule.Effect == HardRuleEffect.Deny)
            {
                decision = DecisionKind.Deny;
                reasons.Add($"policy rule '{rule.Name}' denies this");
            }
            else if (decision == DecisionKind.Grant)
            {
                decision = DecisionKind.RequireApproval;
                reasons.Add($"policy rule '{rule.Name}' requires human approval");
            }
        }

        var task = input.History.Task;
        var humanReview = task.HumanReviewMode
            || task.ConsecutiveDenials >= policy.Escalation.ConsecutiveDenials
            || task.Denials >= policy.Escalation.TotalDenials;
        if (humanReview && decision != DecisionKind.Deny)
        {
            decision = DecisionKind.RequireApproval;
            reasons.Add($"repeated denials in this task ({task.ConsecutiveDenials} in a row, {task.Denials} in total): a human now reviews every request in it");
        }

        if (duration < request.RequestedDuration)
        {
            reasons.Add($"duration shortened to the policy maximum {duration} for {sensitivity.ToString().ToLowerInvariant()} resources");
        }

        return new Assessment(score, decision, factors, reasons, duration, rules.Quorum, humanReview, NarrowerRequest: null, Name);
    }

    public RequestTraits Describe(string connector, AccessRequest request) =>
        new(request.Actions.Select(Classify).ToList(), [], string.Join(' ', request.Purpose.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    internal static ActionClass Classify(string action)
    {
        var verb = action.Contains(':', StringComparison.Ordinal) ? action[(action.IndexOf(':', StringComparison.Ordinal) + 1)..] : action;
        if (verb.Contains('*', StringComparison.Ordinal) || verb.Equals("ALL", StringComparison.OrdinalIgnoreCase))
        {
            return ActionClass.Wildcard;
        }

        string[] read = ["SELECT", "Get", "List", "Describe", "Read", "Reader", "Query", "Scan"];
        string[] destructive = ["DELETE", "TRUNCATE", "DROP", "Delete", "Terminate", "Remove", "Purge"];
        string[] privilege = ["GRANT", "Attach", "Detach", "PutRolePolicy", "CreateRole", "Owner", "Administrator"];
        if (privilege.Any(p => verb.Contains(p, StringComparison.OrdinalIgnoreCase)))
        {
            return ActionClass.PrivilegeChange;
        }

        if (destructive.Any(d => verb.StartsWith(d, StringComparison.OrdinalIgnoreCase)))
        {
            return ActionClass.Destructive;
        }

        return read.Any(r => verb.StartsWith(r, StringComparison.OrdinalIgnoreCase) || verb.EndsWith(r, StringComparison.OrdinalIgnoreCase))
            ? ActionClass.Read
            : ActionClass.Write;
    }

    private static string Describe(ActionClass actionClass) => actionClass switch
    {
        ActionClass.Read => "read-only",
        ActionClass.Write => "write",
        ActionClass.Destructive => "destructive",
        ActionClass.PrivilegeChange => "privilege-changing",
        _ => "wildcard",
    };

    private static bool Applies(HardRule rule, AssessmentInput input, Sensitivity sensitivity, ActionClass actionClass) =>
        (rule.Target is null || rule.Target == input.Target.Name)
        && (rule.AgentId is null || rule.AgentId == input.Request.AgentId)
        && (rule.MinimumSensitivity is null || sensitivity >= rule.MinimumSensitivity)
        && (rule.MinimumActionClass is null || actionClass >= rule.MinimumActionClass)
        && (rule.Environment is null || input.Resources.Any(r => r.Catalogue?.Environment == rule.Environment))
        && (rule.DataTag is null || input.Resources.Any(r => r.Catalogue?.Tags.Contains(rule.DataTag, StringComparer.Ordinal) == true));
}
