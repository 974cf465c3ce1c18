namespace AgentAccessBroker.Credentials;

/// <summary>Everything a provider needs to mint one lease's credential.</summary>
/// <param name="LeaseId">Unique per lease; providers derive outside names from it (role names, session names, GUIDs).</param>
/// <param name="NotAfter">The lease end. The credential must not outlive it where the outside system allows.</param>
public sealed record MintRequest(
    string LeaseId,
    string TaskId,
    string AgentId,
    TargetSettings Target,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> Actions,
    DateTimeOffset Now,
    DateTimeOffset NotAfter);
