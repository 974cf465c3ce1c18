using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// The stable codes of "no credential may be issued now" (HTTP 409). The same refusal comes from the issuance rule
/// checked before a grant and from the store's guard inside the transaction that writes the lease row.
/// </summary>
public static class IssuanceRefusals
{
    public const string TaskNotActiveCode = "task_not_active";
    public const string AgentDisabledCode = "agent_disabled";
    public const string AgentLockedCode = "agent_locked";
    public const string TaskLockedCode = "task_locked";
    public const string UserLockedCode = "user_locked";
    public const string ApprovalExpiredCode = "approval_expired";
    public const string AgentNotInPolicyCode = "agent_not_in_policy";
    public const string TargetNotAllowedCode = "target_not_allowed";
    public const string UnknownTargetCode = "unknown_target";
    public const string DeniedByRuleCode = "denied_by_rule";
    public const string RequestWithdrawnCode = "request_withdrawn";

    private static readonly HashSet<string> Codes =
    [
        TaskNotActiveCode, AgentDisabledCode, AgentLockedCode, TaskLockedCode, ApprovalExpiredCode, AgentNotInPolicyCode, TargetNotAllowedCode,
        UnknownTargetCode, DeniedByRuleCode, RequestWithdrawnCode,
    ];

    /// <summary>Whether <paramref name="code"/> is an issuance refusal (a conflict with the subject's state, not a permission problem).</summary>
    public static bool IsRefusal(string code) => Codes.Contains(code);

    public static BrokerError TaskNotActive(string taskId, TaskState state) => BrokerError.Conflict(TaskNotActiveCode, state switch
    {
        TaskState.Expired => $"Task '{taskId}' reached its deadline; nothing more is issued under it. Ask its owner to start a new task.",
        TaskState.Cancelled => $"Task '{taskId}' was cancelled; nothing more is issued under it.",
        _ => $"Task '{taskId}' is completed; nothing more is issued under it. Ask its owner to start a new task.",
    });

    public static BrokerError AgentDisabled(string agentId) =>
        BrokerError.Conflict(AgentDisabledCode, $"Agent '{agentId}' is disabled or removed; nothing is issued to it.");

    public static BrokerError Locked(LockSubject kind, string subject) => kind switch
    {
        LockSubject.Task => BrokerError.Conflict(TaskLockedCode, $"Task '{subject}' is locked by an administrator; nothing is issued under it."),
        LockSubject.User => BrokerError.Conflict(UserLockedCode, $"'{subject}' is locked by an administrator."),
        _ => BrokerError.Conflict(AgentLockedCode, $"Agent '{subject}' is locked by an administrator; nothing is issued to it."),
    };

    public static BrokerError ApprovalExpired(string requestId, TimeSpan window) => BrokerError.Conflict(ApprovalExpiredCode,
        $"Request '{requestId}' was approved more than {Words(window)} ago and was not claimed in time; submit it again.");

    public static BrokerError RequestWithdrawn(string requestId) => BrokerError.Conflict(RequestWithdrawnCode,
        $"Request '{requestId}' was withdrawn (its task ended, or its agent or task was cut off); submit a new request.");

    private static string Words(TimeSpan window) => window.TotalMinutes >= 1 && window.TotalMinutes % 1 == 0 ? $"{window.TotalMinutes:0} min" : $"{window.TotalSeconds:0} s";
}
