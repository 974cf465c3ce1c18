namespace AgentAccessBroker.IntentAnalysis.Review;

/// <summary>The reviewer's answer. <paramref name="Reason"/> is shown to approvers and the agent, shortened and cleaned first.</summary>
public sealed record OutsideReview(OutsideVerdict Verdict, string Reason);
