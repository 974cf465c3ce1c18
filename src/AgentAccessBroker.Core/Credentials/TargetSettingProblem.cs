namespace AgentAccessBroker.Credentials;

/// <summary>One problem with one setting key of a target; the policy loader adds file, line and column.</summary>
public sealed record TargetSettingProblem(string Key, string Message);
