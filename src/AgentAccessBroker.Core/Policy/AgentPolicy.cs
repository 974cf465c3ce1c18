namespace AgentAccessBroker.Policy;

/// <summary>An agent the policy knows, who is responsible for it, and which targets it may ask for at all.</summary>
/// <param name="AllowedTargets">Empty means every target.</param>
public sealed record AgentPolicy(string Id, string Owner, IReadOnlyList<string> AllowedTargets)
{
    public bool MayUse(string target) => AllowedTargets.Count == 0 || AllowedTargets.Contains(target, StringComparer.Ordinal);
}
