using AgentAccessBroker.Audit;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// A decided request as it is stored (<see cref="Storage.IBrokerStore.RecordRequestAsync"/>): its row, what it adds to
/// the agent's and task's history, and its audit events, written in one transaction so that no decision is stored
/// unaudited. A request granted at once is written by the issuer, together with its lease row.
/// </summary>
public sealed record RequestRecord(AccessRequest Request, Assessment Assessment, HistoryOutcome Outcome, IReadOnlyList<AuditEntry> Events)
{
    /// <summary>The history update: the request is counted when it is assessed; its outcome once it is decided.</summary>
    public BehaviourHistory Fold(BehaviourHistory aggregates)
    {
        var counted = HistoryFold.RecordRequest(aggregates, Request.CreatedAt);
        // Pending requests are folded in when a human decides; the escalation flag sticks from now on.
        return Assessment.Decision == DecisionKind.RequireApproval
            ? counted with { Task = counted.Task with { HumanReviewMode = counted.Task.HumanReviewMode || Assessment.HumanReviewMode } }
            : HistoryFold.RecordOutcome(counted, Outcome, Assessment.HumanReviewMode);
    }
}
