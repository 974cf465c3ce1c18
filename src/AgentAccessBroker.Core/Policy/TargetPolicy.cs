using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Policy;

/// <summary>Something agents can get credentials for: a connector, its settings, and its resource catalogue.</summary>
/// <param name="ApproverGroup">Who approves requests on this target.</param>
/// <param name="Resources">The catalogue; a requested resource must match one entry.</param>
public sealed record TargetPolicy(
    string Name,
    string Description,
    TargetSettings Settings,
    string ApproverGroup,
    IReadOnlyList<ResourcePolicy> Resources)
{
    public string Connector => Settings.Connector;

    /// <summary>The most specific catalogue entry matching a requested resource, or null when none does.</summary>
    public ResourcePolicy? Match(string resource)
    {
        ResourcePolicy? best = null;
        foreach (var entry in Resources)
        {
            if (entry.Matches(resource) && (best is null || entry.Specificity > best.Specificity))
            {
                best = entry;
            }
        }

        return best;
    }
}
