using AgentAccessBroker.Domain;

namespace AgentAccessBroker.IntentAnalysis.Classification;

/// <summary>An action with its class and traits, as <see cref="ActionClassifier"/> recognised it.</summary>
public readonly record struct ClassifiedAction(string Action, ActionClass Class, ActionTraits Traits)
{
    public bool Has(ActionTraits trait) => (Traits & trait) == trait;
}
