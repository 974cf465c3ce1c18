using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Policy;

/// <summary>
/// Checks one target's connector and settings while a policy loads. Returns <c>null</c> when no connector of that name
/// exists, otherwise one <see cref="TargetSettingProblem"/> per bad or missing key (empty when the settings are fine).
/// </summary>
/// <remarks>
/// Security contract: the loader never passes a setting whose name marks it as secret with an inline value, and problem
/// messages are shown to operators, so they must not echo setting values.
/// </remarks>
public delegate IReadOnlyList<TargetSettingProblem>? ConnectorValidator(TargetSettings target);
