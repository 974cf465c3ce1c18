using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.IntentAnalysis.Simulation;

/// <summary>How the assessor decided one scenario.</summary>
/// <param name="HighestSensitivity">The most sensitive requested resource (an unknown one counts as critical).</param>
public sealed record ScenarioResult(Scenario Scenario, Assessment Assessment, Sensitivity HighestSensitivity)
{
    /// <summary>The decision is exactly the label (always true without a label).</summary>
    public bool Agrees => Scenario.Label is null || Scenario.Label == Assessment.Decision;

    /// <summary>The decision is the label or one of the scenario's other acceptable decisions (always true without a label).</summary>
    public bool IsAcceptable => Agrees || Scenario.Acceptable.Contains(Assessment.Decision);

    /// <summary>
    /// A grant the label says must never be automatic: anything labelled deny, or labelled approval on a high or
    /// critical resource. An <c>acceptable</c> list does not change this.
    /// </summary>
    public bool IsUnsafeGrant => Assessment.Decision == DecisionKind.Grant
                                 && (Scenario.Label == DecisionKind.Deny
                                     || (Scenario.Label == DecisionKind.RequireApproval && HighestSensitivity >= Sensitivity.High));
}
