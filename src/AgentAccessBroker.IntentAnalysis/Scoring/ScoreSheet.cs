using AgentAccessBroker.Decisions;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>The factors collected for one assessment, and the least cautious decision the findings still allow.</summary>
internal sealed class ScoreSheet
{
    private readonly List<RiskFactor> _factors = new(16);

    public ScoreSheet(AssessmentInput input, RequestFacts facts)
    {
        Input = input;
        Facts = facts;
    }

    public AssessmentInput Input { get; }

    public RequestFacts Facts { get; }

    public IReadOnlyList<RiskFactor> Factors => _factors;

    /// <summary>Findings that no score can overrule (an injected instruction forces at least this decision).</summary>
    public DecisionKind Floor { get; private set; } = DecisionKind.Grant;

    public List<string> FloorReasons { get; } = new(2);

    /// <summary>Why a resource the task does not name still counts as covered; shown with the reasons.</summary>
    public List<string> Notes { get; } = new(1);

    /// <summary>Whether any factor of <paramref name="codes"/> was added.</summary>
    public bool HasAny(string[] codes)
    {
        foreach (var code in codes)
        {
            if (Has(code))
            {
                return true;
            }
        }

        return false;
    }

    public int Total
    {
        get
        {
            var sum = 0;
            foreach (var f in _factors)
            {
                sum += f.Points;
            }

            return Math.Clamp(sum, 0, 100);
        }
    }

    public void Add(string code, int points, string explanation)
    {
        if (points != 0)
        {
            _factors.Add(new RiskFactor(code, points, explanation));
        }
    }

    public bool Has(string code)
    {
        foreach (var f in _factors)
        {
            if (f.Code == code)
            {
                return true;
            }
        }

        return false;
    }

    public void RaiseFloor(DecisionKind decision, string reason)
    {
        if (decision > Floor)
        {
            Floor = decision;
        }

        FloorReasons.Add(reason);
    }
}
